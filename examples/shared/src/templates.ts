/** Compiled templates, cached for the life of the process: a cache nothing ever clears. */
const compiled = new Map<string, Buffer>()

export function compileTemplate(name: string): Buffer {
  let template = compiled.get(name)
  if (!template) compiled.set(name, template = Buffer.alloc(30 * 1024 * 1024, name.length))
  return template
}
