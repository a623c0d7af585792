// Every import of a TypeScript module, read with the TypeScript compiler's own parser (no regex):
// `import … from`, `import '…'` (side effect), `import('…')` (dynamic), `export … from`, with
// either quote. Type-only ones (`import type`, `export type`, `import { type A }` whose every name
// is a type, `typeof import('…')`) are told apart: the compiler erases them, so they order no
// loading and may point up a layer (src/README.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import ts from 'typescript'

export interface ImportEdge {
  /** The module specifier as written. */
  specifier: string
  typeOnly: boolean
}

export function importsOf(source: string, fileName = 'module.ts'): ImportEdge[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true)
  const edges: ImportEdge[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnlyImport(node.importClause) })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || (!!named?.length && named.every(e => e.isTypeOnly)) })
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments
      // A computed specifier (src/ uses them only for Vitest's and packages' files, by URL) is not followed.
      if (argument && ts.isStringLiteralLike(argument)) edges.push({ specifier: argument.text, typeOnly: false })
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      edges.push({ specifier: node.argument.literal.text, typeOnly: true })
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      edges.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return edges
}

function isTypeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false // a side-effect import
  if (clause.isTypeOnly) return true
  if (clause.name) return false // a default import
  const bindings = clause.namedBindings
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every(e => e.isTypeOnly)
}

export interface ModuleImport {
  /** Absolute path of the imported .ts file. */
  to: string
  typeOnly: boolean
}

/** Every .ts file under `root` and its imports of other files there (package imports left out). */
export function importGraph(root: string): Map<string, ModuleImport[]> {
  const files = tsFiles(root)
  const known = new Set(files)
  const graph = new Map<string, ModuleImport[]>()
  for (const file of files) {
    const imports: ModuleImport[] = []
    for (const edge of importsOf(readFileSync(file, 'utf8'), file)) {
      if (!edge.specifier.startsWith('.')) continue
      const to = resolve(dirname(file), edge.specifier.replace(/\.js$/, '.ts'))
      // A generated JavaScript module (record/schema-validators.js, ajv's standalone code) imports nothing of ours: a leaf.
      if (!known.has(to) && edge.specifier.endsWith('.js') && existsSync(resolve(dirname(file), edge.specifier))) continue
      if (!known.has(to)) throw new Error(`${file}: '${edge.specifier}' resolves to no .ts file under ${root}`)
      imports.push({ to, typeOnly: edge.typeOnly })
    }
    graph.set(file, imports)
  }
  return graph
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap(name => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return tsFiles(path)
      return path.endsWith('.ts') ? [path] : []
    })
}

/** The import cycles of a graph, each as the files around it (first file repeated at the end). */
export function fileCycles(graph: Map<string, ModuleImport[]>): string[][] {
  const cycles: string[][] = []
  const done = new Set<string>()
  const stack: string[] = []
  const visit = (file: string): void => {
    stack.push(file)
    for (const { to } of graph.get(file) ?? []) {
      const at = stack.indexOf(to)
      if (at !== -1) cycles.push([...stack.slice(at), to])
      else if (!done.has(to)) visit(to)
    }
    stack.pop()
    done.add(file)
  }
  for (const file of graph.keys()) if (!done.has(file)) visit(file)
  return cycles
}
