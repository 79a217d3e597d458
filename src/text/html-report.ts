// The page frame of billrun's self-contained HTML reports (`review report`, `tariff simulate
// --out`): one file a person opens from disk or an e-mail, so it loads nothing. Its
// Content-Security-Policy allows only what the file carries inline: its style, and its script
// when it has one.
import { escapeHtml } from './index.js';

export interface HtmlReport {
  /** Plain text; escaped here. */
  title: string;
  style: string;
  /** HTML inside <header>, escaped by the caller. */
  header: string;
  /** HTML inside <main>, escaped by the caller. */
  main: string;
  script?: string;
}

export function htmlReport(report: HtmlReport): string {
  const sources = ["default-src 'none'", "style-src 'unsafe-inline'"];
  if (report.script !== undefined) sources.push("script-src 'unsafe-inline'");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${sources.join('; ')}">
<title>${escapeHtml(report.title)}</title>
<style>${report.style}</style>
</head>
<body>
<header>
${report.header}
</header>
<main>
${report.main}
</main>
${report.script === undefined ? '' : `<script>${report.script}</script>\n`}</body>
</html>
`;
}
