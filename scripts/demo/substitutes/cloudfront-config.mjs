// AWS::CloudFront::Distribution's DistributionConfig (CloudFormation's shape: plain lists) in the
// shape of the CloudFront API's CreateDistribution (every list as { Quantity, Items }), for
// creating the edge stack's distribution directly in moto.

/** @param {unknown[] | undefined} items */
const list = (items, map = (/** @type {any} */ item) => item) =>
  items === undefined ? undefined : { Quantity: items.length, Items: items.map(map) };

/** @param {any} origin */
function origin(origin) {
  const custom = origin.CustomOriginConfig;
  return {
    Id: origin.Id,
    DomainName: origin.DomainName,
    OriginPath: origin.OriginPath ?? '',
    CustomHeaders: list(origin.OriginCustomHeaders ?? [], (header) => ({
      HeaderName: header.HeaderName,
      HeaderValue: header.HeaderValue,
    })),
    ...(origin.S3OriginConfig
      ? {
          S3OriginConfig: {
            OriginAccessIdentity: origin.S3OriginConfig.OriginAccessIdentity ?? '',
          },
        }
      : {}),
    ...(custom
      ? {
          CustomOriginConfig: {
            HTTPPort: custom.HTTPPort ?? 80,
            HTTPSPort: custom.HTTPSPort ?? 443,
            OriginProtocolPolicy: custom.OriginProtocolPolicy,
            OriginSslProtocols: list(custom.OriginSSLProtocols ?? ['TLSv1.2']),
            OriginReadTimeout: custom.OriginReadTimeout,
            OriginKeepaliveTimeout: custom.OriginKeepaliveTimeout,
          },
        }
      : {}),
    ...(origin.VpcOriginConfig ? { VpcOriginConfig: origin.VpcOriginConfig } : {}),
    ...(origin.OriginAccessControlId
      ? { OriginAccessControlId: origin.OriginAccessControlId }
      : {}),
  };
}

/** @param {any} behaviour */
function cacheBehaviour(behaviour) {
  const allowed = behaviour.AllowedMethods ?? ['GET', 'HEAD'];
  return {
    ...(behaviour.PathPattern !== undefined ? { PathPattern: behaviour.PathPattern } : {}),
    TargetOriginId: behaviour.TargetOriginId,
    ViewerProtocolPolicy: behaviour.ViewerProtocolPolicy,
    AllowedMethods: {
      ...list(allowed),
      CachedMethods: list(behaviour.CachedMethods ?? ['GET', 'HEAD']),
    },
    Compress: behaviour.Compress ?? false,
    ...(behaviour.CachePolicyId ? { CachePolicyId: behaviour.CachePolicyId } : {}),
    ...(behaviour.OriginRequestPolicyId
      ? { OriginRequestPolicyId: behaviour.OriginRequestPolicyId }
      : {}),
    ...(behaviour.ResponseHeadersPolicyId
      ? { ResponseHeadersPolicyId: behaviour.ResponseHeadersPolicyId }
      : {}),
    FunctionAssociations: list(behaviour.FunctionAssociations ?? [], (association) => ({
      EventType: association.EventType,
      FunctionARN: association.FunctionARN,
    })),
  };
}

/**
 * @param {any} config CloudFormation's DistributionConfig, intrinsics evaluated
 * @param {string} callerReference
 */
export function distributionConfigForApi(config, callerReference) {
  const certificate = config.ViewerCertificate ?? { CloudFrontDefaultCertificate: true };
  return {
    CallerReference: callerReference,
    Comment: config.Comment ?? '',
    Enabled: config.Enabled ?? true,
    ...(config.DefaultRootObject ? { DefaultRootObject: config.DefaultRootObject } : {}),
    ...(config.HttpVersion ? { HttpVersion: config.HttpVersion } : {}),
    ...(config.IPV6Enabled !== undefined ? { IsIPV6Enabled: config.IPV6Enabled } : {}),
    ...(config.PriceClass ? { PriceClass: config.PriceClass } : {}),
    Aliases: list(config.Aliases ?? []),
    ViewerCertificate: {
      ...(certificate.CloudFrontDefaultCertificate !== undefined
        ? { CloudFrontDefaultCertificate: certificate.CloudFrontDefaultCertificate }
        : {}),
      ...(certificate.AcmCertificateArn
        ? {
            ACMCertificateArn: certificate.AcmCertificateArn,
            SSLSupportMethod: certificate.SslSupportMethod,
            MinimumProtocolVersion: certificate.MinimumProtocolVersion,
          }
        : {}),
    },
    Origins: list(config.Origins ?? [], origin),
    DefaultCacheBehavior: cacheBehaviour(config.DefaultCacheBehavior),
    CacheBehaviors: list(config.CacheBehaviors ?? [], cacheBehaviour),
  };
}
