// The frames of birpc, the RPC Vitest's worker and runner speak over the same IPC channel as the
// pool's messages (4.1 and 5): a call `{ t: 'q', m: method, a: args }`, an answer `{ t: 's' }`.
// Read only to say what a process that never finished starting was doing.

export type RpcFrame = { kind: 'call'; method: string; firstArg: string | null } | { kind: 'answer' }

/** The birpc frame a message is, or null when it is none. */
export function rpcFrame(message: any): RpcFrame | null {
  if (message?.t === 'q' && typeof message.m === 'string')
    return { kind: 'call', method: message.m, firstArg: typeof message.a?.[0] === 'string' ? message.a[0] : null }
  if (message?.t === 's') return { kind: 'answer' }
  return null
}
