// What an import did, with every row that was left out and why.
import type { BadRowDto, ImportReportDto } from "../ipc";
import { has, t } from "../i18n";

function reason(row: BadRowDto): string {
  const key = `import.reason.${row.kind}`;
  return has(key) ? t(key, { value: row.value ?? "" }) : row.message;
}

export function ImportReport({ report, onClose }: { report: ImportReportDto; onClose: () => void }) {
  return (
    <div class="report" data-testid="import-report">
      <h2>{t("import.title")}</h2>
      <p data-testid="import-summary">
        {t("import.done", { imported: report.imported, unchanged: report.unchanged, bad: report.bad_rows.length })}
      </p>
      <p class="muted">{t("import.format", { format: report.format, encoding: report.encoding })}</p>
      {report.bad_rows.length > 0 && (
        <>
          <h3>{t("import.bad_rows")}</h3>
          <ul class="bad-rows" data-testid="import-bad-rows">
            {report.bad_rows.map((r) => (
              <li key={r.line}>
                <strong>{t("import.line", { line: r.line })}</strong>: {reason(r)}
              </li>
            ))}
          </ul>
        </>
      )}
      {report.warnings.length > 0 && (
        <>
          <h3>{t("import.warnings")}</h3>
          <ul class="bad-rows">
            {report.warnings.map((w, i) => (
              <li key={i}>
                <strong>{t("import.line", { line: w.line })}</strong>: {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="actions">
        <button type="button" onClick={onClose} autoFocus>
          {t("common.close")}
        </button>
      </div>
    </div>
  );
}
