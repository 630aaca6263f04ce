//! The Unbalanced Tree Search (UTS) benchmark's tree generator, written
//! here from the benchmark's definition, so that every implementation walks
//! the very same tree and its size can be checked against published counts.
//!
//! Stephen Olivier, Jun Huan, Jinze Liu, Jan Prins, James Dinan, P.
//! Sadayappan, Chau-Wen Tseng, "UTS: An Unbalanced Tree Search Benchmark",
//! LCPC 2006. Reference sources (UTS 2.1): `uts.c` (`uts_initRoot`,
//! `uts_numChildren`, `uts_numChildren_bin`, `uts_numChildren_geo`), the
//! SHA-1 random stream `rng/brg_sha1.c` (`rng_init`, `rng_spawn`,
//! `rng_rand`), and `sample_trees.sh` (T1 to T5 and their sizes); public
//! copies live in the UTS distribution (uts-benchmark on SourceForge,
//! mirrored e.g. in uwsampa/grappa `applications/uts/`) and, binomial trees
//! only, in the Barcelona OpenMP Tasks Suite (bsc-pm/bots `serial/uts/`).
//!
//! - A node's state is a 20-byte SHA-1 digest. The root's is the digest of
//!   16 zero bytes and the root id (4 bytes, big-endian); child `i`'s is the
//!   digest of its parent's 20 bytes and `i` (4 bytes, big-endian).
//! - A node draws one number from its own state: the digest's last 4 bytes,
//!   big-endian, masked to 31 bits, divided by 2^31: `u` in `[0, 1)`.
//! - Binomial: the root has `floor(b_0)` children; every other node has `m`
//!   children if `u < q`, else none.
//! - Geometric: with an expected branching `b_i` for the node's depth
//!   (`b_0` at the root; below it by the shape: linear, exponential,
//!   cyclic, fixed), `floor(ln(1 - u) / ln(1 - p))` children, with
//!   `p = 1 / (1 + b_i)`.
//! - Hybrid: geometric above depth `shift_depth * gen_mx`, binomial below.
//! - Every node but a binomial root has at most 100 children.
//!
//! The floating-point steps follow the C order of operations, with std's
//! `ln`/`powf`/`sin` (the platform's libm, as the C code uses), so the
//! trees match the reference bit for bit.

use sha1::{Digest, Sha1};

/// A tree node: its random state and its depth (the root's is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The SHA-1 digest this node's children derive from.
    pub state: [u8; 20],
    /// Distance from the root.
    pub height: u32,
}

/// The expected branching by depth of a geometric tree (UTS `-a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `b_0 * (1 - d / gen_mx)`: 0 at depth `gen_mx`.
    Linear,
    /// `b_0 * d^(-ln b_0 / ln gen_mx)`.
    #[allow(dead_code, reason = "no sample tree uses it; the tests do")]
    ExpDec,
    /// `b_0^sin(2 pi d / gen_mx)`, 0 past depth `5 * gen_mx`.
    Cyclic,
    /// `b_0` above depth `gen_mx`, 0 from there.
    Fixed,
}

/// The kind of tree (UTS `-t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every node but the root: `m` children with probability `q`.
    Binomial,
    /// Geometric child counts, expected branching by the shape.
    Geometric,
    /// Geometric near the root, binomial from `shift_depth * gen_mx` on.
    Hybrid,
}

/// A UTS tree, by its parameters (UTS's flags in brackets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uts {
    /// `-t`.
    pub kind: Kind,
    /// The root's branching factor, `b_0` (`-b`).
    pub b0: f64,
    /// The root's seed (`-r`).
    pub root_id: u32,
    /// Binomial: the children of a node that has any (`-m`).
    pub m: u32,
    /// Binomial: the probability that a node has children (`-q`).
    pub q: f64,
    /// Geometric: the shape (`-a`).
    pub shape: Shape,
    /// Geometric: the depth parameter (`-d`).
    pub gen_mx: u32,
    /// Hybrid: where binomial takes over, as a fraction of `gen_mx` (`-f`).
    pub shift_depth: f64,
}

/// What a walk found: nodes (root included), leaves, the greatest depth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub nodes: u64,
    pub leaves: u64,
    pub depth: u32,
}

impl Counts {
    /// Counts `node`, a leaf if it has no children.
    #[inline]
    pub fn add(&mut self, node: &Node, children: u32) {
        self.nodes += 1;
        self.leaves += u64::from(children == 0);
        self.depth = self.depth.max(node.height);
    }

    /// The counts of two disjoint parts of a tree, together.
    pub fn merge(self, other: Counts) -> Counts {
        Counts {
            nodes: self.nodes + other.nodes,
            leaves: self.leaves + other.leaves,
            depth: self.depth.max(other.depth),
        }
    }
}

/// The cap on any node's children, but a binomial root's (`MAXNUMCHILDREN`).
const MAX_CHILDREN: u32 = 100;

/// UTS's defaults: a geometric linear tree, `b_0` 4, depth 6, seed 0 (the
/// binomial and hybrid knobs at their defaults too).
pub const DEFAULTS: Uts = Uts {
    kind: Kind::Geometric,
    b0: 4.0,
    root_id: 0,
    m: 4,
    q: 15.0 / 64.0,
    shape: Shape::Linear,
    gen_mx: 6,
    shift_depth: 0.5,
};

impl Uts {
    /// The root node.
    pub fn root(&self) -> Node {
        let mut seed = [0u8; 20];
        seed[16..].copy_from_slice(&self.root_id.to_be_bytes());
        Node {
            state: Sha1::digest(seed).into(),
            height: 0,
        }
    }

    /// Child `index` of `parent`.
    #[inline]
    pub fn child(&self, parent: &Node, index: u32) -> Node {
        let mut hasher = Sha1::new();
        hasher.update(parent.state);
        hasher.update(index.to_be_bytes());
        Node {
            state: hasher.finalize().into(),
            height: parent.height + 1,
        }
    }

    /// How many children `node` has.
    pub fn children(&self, node: &Node) -> u32 {
        let n = match self.kind {
            Kind::Binomial if node.height == 0 => return self.b0.floor() as u32,
            Kind::Binomial => self.binomial(node),
            Kind::Geometric => self.geometric(node),
            Kind::Hybrid => {
                if f64::from(node.height) < self.shift_depth * f64::from(self.gen_mx) {
                    self.geometric(node)
                } else {
                    self.binomial(node)
                }
            }
        };
        n.min(MAX_CHILDREN)
    }

    /// `m` with probability `q`, else 0.
    fn binomial(&self, node: &Node) -> u32 {
        if probability(node) < self.q {
            self.m
        } else {
            0
        }
    }

    /// `floor(ln(1 - u) / ln(1 - p))`, `p = 1 / (1 + b_i)`.
    fn geometric(&self, node: &Node) -> u32 {
        let depth = f64::from(node.height);
        let gen_mx = f64::from(self.gen_mx);
        let b_i = if node.height == 0 {
            self.b0
        } else {
            match self.shape {
                Shape::Linear => self.b0 * (1.0 - depth / gen_mx),
                Shape::ExpDec => self.b0 * depth.powf(-self.b0.ln() / gen_mx.ln()),
                Shape::Cyclic if node.height > 5 * self.gen_mx => 0.0,
                Shape::Cyclic => self
                    .b0
                    .powf((2.0 * std::f64::consts::PI * depth / gen_mx).sin()),
                Shape::Fixed if node.height < self.gen_mx => self.b0,
                Shape::Fixed => 0.0,
            }
        };
        let p = 1.0 / (1.0 + b_i);
        let u = probability(node);
        // b_i = 0 gives ln(0) = -inf below, and 0 children, as in C.
        ((1.0 - u).ln() / (1.0 - p).ln()).floor() as u32
    }

    /// The single-threaded reference walk (an explicit stack: binomial
    /// trees run thousands deep).
    pub fn walk(&self) -> Counts {
        let mut counts = Counts::default();
        let mut stack = vec![self.root()];
        while let Some(node) = stack.pop() {
            let children = self.children(&node);
            counts.add(&node, children);
            for i in 0..children {
                stack.push(self.child(&node, i));
            }
        }
        counts
    }
}

/// The node's one random number, as a probability in `[0, 1)`.
#[inline]
fn probability(node: &Node) -> f64 {
    let bytes = [
        node.state[16],
        node.state[17],
        node.state[18],
        node.state[19],
    ];
    let n = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    f64::from(n) / 2_147_483_648.0
}

/// A sample tree of `sample_trees.sh`, with its published size.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub name: &'static str,
    /// UTS's flags for it, as published.
    pub flags: &'static str,
    pub tree: Uts,
    pub expected: Counts,
    /// About 100 million nodes: behind `--large`.
    pub large: bool,
}

/// T1 to T5 (about 4 million nodes each) and T1L to T3L (about 100
/// million), as `sample_trees.sh` gives them.
pub const SAMPLES: [Sample; 8] = [
    Sample {
        name: "T1",
        flags: "-t 1 -a 3 -d 10 -b 4 -r 19",
        tree: Uts {
            kind: Kind::Geometric,
            shape: Shape::Fixed,
            gen_mx: 10,
            b0: 4.0,
            root_id: 19,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 4_130_071,
            leaves: 3_305_118,
            depth: 10,
        },
        large: false,
    },
    Sample {
        name: "T2",
        flags: "-t 1 -a 2 -d 16 -b 6 -r 502",
        tree: Uts {
            kind: Kind::Geometric,
            shape: Shape::Cyclic,
            gen_mx: 16,
            b0: 6.0,
            root_id: 502,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 4_117_769,
            leaves: 2_342_762,
            depth: 81,
        },
        large: false,
    },
    Sample {
        name: "T3",
        flags: "-t 0 -b 2000 -q 0.124875 -m 8 -r 42",
        tree: Uts {
            kind: Kind::Binomial,
            b0: 2000.0,
            q: 0.124875,
            m: 8,
            root_id: 42,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 4_112_897,
            leaves: 3_599_034,
            depth: 1572,
        },
        large: false,
    },
    Sample {
        name: "T4",
        flags: "-t 2 -a 0 -d 16 -b 6 -r 1 -q 0.234375 -m 4 -r 1",
        tree: Uts {
            kind: Kind::Hybrid,
            shape: Shape::Linear,
            gen_mx: 16,
            b0: 6.0,
            root_id: 1,
            q: 0.234375,
            m: 4,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 4_132_453,
            leaves: 3_108_986,
            depth: 134,
        },
        large: false,
    },
    Sample {
        name: "T5",
        flags: "-t 1 -a 0 -d 20 -b 4 -r 34",
        tree: Uts {
            kind: Kind::Geometric,
            shape: Shape::Linear,
            gen_mx: 20,
            b0: 4.0,
            root_id: 34,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 4_147_582,
            leaves: 2_181_318,
            depth: 20,
        },
        large: false,
    },
    Sample {
        name: "T1L",
        flags: "-t 1 -a 3 -d 13 -b 4 -r 29",
        tree: Uts {
            kind: Kind::Geometric,
            shape: Shape::Fixed,
            gen_mx: 13,
            b0: 4.0,
            root_id: 29,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 102_181_082,
            leaves: 81_746_377,
            depth: 13,
        },
        large: true,
    },
    Sample {
        name: "T2L",
        flags: "-t 1 -a 2 -d 23 -b 7 -r 220",
        tree: Uts {
            kind: Kind::Geometric,
            shape: Shape::Cyclic,
            gen_mx: 23,
            b0: 7.0,
            root_id: 220,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 96_793_510,
            leaves: 53_791_152,
            depth: 67,
        },
        large: true,
    },
    Sample {
        name: "T3L",
        flags: "-t 0 -b 2000 -q 0.200014 -m 5 -r 7",
        tree: Uts {
            kind: Kind::Binomial,
            b0: 2000.0,
            q: 0.200014,
            m: 5,
            root_id: 7,
            ..DEFAULTS
        },
        expected: Counts {
            nodes: 111_345_631,
            leaves: 89_076_904,
            depth: 17844,
        },
        large: true,
    },
];

/// The sample tree called `name` (`T1` ... `T3L`, any case).
pub fn sample(name: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}
