// What one user YAML document may cost to read. A document is untrusted input (DESIGN.md
// "Rules of the house"): without these, a 447-byte file of nested aliases ("billion
// laughs") expands to hundreds of millions of nodes and stalls the event loop.

export interface YamlLimits {
  /** Bytes of UTF-8 text, checked before parsing. */
  maxBytes: number;
  /** Nesting depth, counted through aliases (an alias is as deep as what it points to). */
  maxDepth: number;
  /** Nodes in the document with every alias expanded, as a reader walking it would see them. */
  maxNodes: number;
  /** Of those, the nodes reached through aliases. */
  maxAliasNodes: number;
  /** deploy.yml has no use for anchors; refusing them keeps it plain. */
  allowAliases: boolean;
}

/** A workflow or action file: GitHub allows anchors and aliases there, so do we. */
export const workflowYamlLimits: YamlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 100,
  maxNodes: 100_000,
  maxAliasNodes: 10_000,
  allowAliases: true,
});

export const deployYamlLimits: YamlLimits = Object.freeze({ ...workflowYamlLimits, maxBytes: 256 * 1024, allowAliases: false });
