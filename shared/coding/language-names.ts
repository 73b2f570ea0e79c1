import type { CodingLanguage } from './coding.schema.ts';

/** How a programming language is written, in prose and on every page: the same in every interface language. */
export const codingLanguageNames: Record<CodingLanguage, string> = {
  PYTHON: 'Python',
  JAVASCRIPT: 'JavaScript',
  TYPESCRIPT: 'TypeScript',
  JAVA: 'Java',
  PHP: 'PHP',
  RUBY: 'Ruby',
  CSHARP: 'C#',
  SQL: 'SQL',
  GO: 'Go',
};
