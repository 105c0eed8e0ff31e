/**
 * Builds job-summary Markdown as plain text, so the logic can render it in
 * tests and the demo without the runner. The entry writes the result with
 * `core.summary.addRaw(...).write()`.
 */
export class Markdown {
  private readonly parts: string[] = [];

  heading(text: string, level = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text}\n`);
    return this;
  }

  paragraph(text: string): this {
    this.parts.push(`${text}\n`);
    return this;
  }

  table(header: string[], rows: (string | number)[][]): this {
    const cell = (value: string | number) =>
      String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [
      `| ${header.map(cell).join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    ];
    this.parts.push(`${lines.join('\n')}\n`);
    return this;
  }

  code(text: string, language = ''): this {
    this.parts.push(`\`\`\`${language}\n${text}\n\`\`\`\n`);
    return this;
  }

  details(summary: string, body: string): this {
    this.parts.push(
      `<details><summary>${summary}</summary>\n\n${body}\n</details>\n`,
    );
    return this;
  }

  toString(): string {
    return this.parts.join('\n');
  }
}
