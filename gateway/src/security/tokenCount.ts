/**
 * Counts the lexical tokens of a GraphQL document with graphql-js's lexer, without building an AST, and
 * stops as soon as the count passes `max` — so a "token bomb" (a small body of thousands of tokens that
 * makes the parser, validator and query planner work hard) costs a linear scan to refuse.
 */
import { Lexer, Source, TokenKind } from 'graphql';

/** The number of tokens in `document`, counting at most `max + 1`; a lexing error ends the count (the parser reports it). */
export function countTokens(document: string, max: number): number {
  const lexer = new Lexer(new Source(document));
  let count = 0;
  try {
    while (count <= max && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // A syntax error: leave it to the parser, which says where it is.
  }
  return count;
}
