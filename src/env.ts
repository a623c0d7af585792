// How every VITEST_MEMORY_* variable reads as a switch: one list of words for on and for off.

const ON = ['1', 'true', 'yes', 'on']
const OFF = ['0', 'false', 'no', 'off']

/** What a variable accepts as a switch, for error messages. */
export const SWITCH_VALUES = 'use 1, true, yes or on to turn it on; 0, false, no or off to turn it off'

/** 'on', 'off', or null when the value is neither (a path, a size, a typo). Case and spaces do not matter. */
export function envSwitch(value: string): 'on' | 'off' | null {
  const word = value.trim().toLowerCase()
  return ON.includes(word) ? 'on' : OFF.includes(word) ? 'off' : null
}
