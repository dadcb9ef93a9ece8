/** The config editors' messages are worded through the one `Translate` of every face (core/base/translate.ts). */
export { english, type Translate } from '../base/translate';
