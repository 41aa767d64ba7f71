// Turns a job summary (Markdown with the HTML that core.summary writes) into terminal text, so the
// demo shows what a user would see on the run's summary page.
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** @param {string} html */
export function summaryAsText(html) {
  return html
    .replace(/<h(\d)>(.*?)<\/h\d>/g, (_, level, text) => `${'#'.repeat(Number(level))} ${text}\n`)
    .replace(/<\/tr>/g, ' |\n')
    .replace(/<t[hd][^>]*>/g, '| ')
    .replace(/<\/t[hd]>/g, ' ')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<\/(p|pre|li|table|details|summary)>/g, '\n')
    .replace(/<li>/g, '- ')
    .replace(/<a href="([^"]*)">(.*?)<\/a>/g, '$2 ($1)')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity])
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
