// ESM entry point: re-exports the CommonJS build so both share one native instance.
import tokenward from './index.js'

export const { Secret, errorCodes, fingerprint, version } = tokenward
export default tokenward
