// The public names of lib/importers: what code outside the folder (and its tests) imports.
export { FORMAT_NAMES, FORMATS, type FormatName } from './formats';
export { type AppendSummary, appendLog, importLog, type ImportSummary } from './import';
export { importSessionLog, SESSION_IMPORT_FORMATS, type SessionImportFormat } from './sessions';
export { type CatalogColumns, type CatalogSummary, importCatalog } from './catalog';
