// The positioned syntax tree every user YAML document is read into: maps, sequences and
// scalars that remember their 1-based line and column, so readers report where a problem is
// without depending on the `yaml` library.

export interface Position {
  line: number;
  column: number;
}

type ScalarValue = string | number | boolean | null;

export type YNode =
  | ({ kind: 'map'; pairs: YPair[] } & Position)
  | ({ kind: 'seq'; items: YNode[] } & Position)
  // `source`: a number's, boolean's or null's text as written (deploy.yml keeps `1.10` as
  // `1.10`); absent on the null that stands for an empty document or a key without a value.
  | ({ kind: 'scalar'; value: ScalarValue; source?: string } & Position);

export interface YPair {
  /** The key as text; `stringKey` says whether YAML read it as a string (not `1`, `true`, `~`). */
  key: string;
  stringKey: boolean;
  keyPos: Position;
  value: YNode;
}

export interface YamlProblem extends Position {
  message: string;
}
