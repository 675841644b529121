/** taskledger's version, kept in step with package.json (a test checks). */
export const packageVersion = '0.1.0';
