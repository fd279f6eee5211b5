export * from './types';
export { StackConfigFileError, stackConfigFileValues } from './file';
export { inputErrorLines, lookup } from './issues';
export { stackSettingsFromConfig } from './pulumi-config';
export { readStackSettings } from './read';
