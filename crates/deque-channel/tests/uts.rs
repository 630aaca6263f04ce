//! The `tree_search` example's UTS generator and searches: the generator
//! against the reference implementation's figures (test vectors and small
//! whole trees, from the UTS 2.1 C sources), and the searches on
//! deque-channel, rayon and crossbeam-channel against the single-threaded
//! walk, with 1, 2, 4 and 8 workers, many times (a termination race would
//! show as a wrong count or a hang). The published T1 size is checked in
//! release by `tests/stress.rs`.

#[path = "../examples/tree_search/tree.rs"]
#[allow(dead_code)]
mod tree;
#[path = "../examples/tree_search/uts.rs"]
#[allow(dead_code)]
mod uts;

use tree::{
    crossbeam_ports, search_blocking, search_rayon, search_spinning, spinning_ports, total,
};
use uts::{Counts, DEFAULTS, Kind, Shape, Uts, sample};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_random_stream_matches_the_reference() {
    let root = |root_id| {
        Uts {
            root_id,
            ..DEFAULTS
        }
        .root()
    };
    assert_eq!(
        hex(&root(0).state),
        "6768033e216468247bd031a0a2d9876d79818f8f"
    );
    assert_eq!(
        hex(&root(19).state),
        "c6988ab70cc9559ae4d6cba254e29a845a85f86b"
    );
    assert_eq!(
        hex(&root(42).state),
        "a11dabbcec7aab309c890ab3dbc256eaeb582782"
    );
    let t1 = sample("T1").unwrap().tree;
    let r = t1.root();
    assert_eq!(
        hex(&t1.child(&r, 0).state),
        "2fb3131030280c1617a81d6a49c1e29effb19645"
    );
    assert_eq!(
        hex(&t1.child(&r, 3).state),
        "4e62c7789552ef31fa428ed5d9023d3f3ec368ef"
    );
    assert_eq!(t1.child(&r, 3).height, 1);
    // T1's root has 5 children; its first three have 27, 7 and 18.
    assert_eq!(t1.children(&r), 5);
    let kids: Vec<u32> = (0..3).map(|i| t1.children(&t1.child(&r, i))).collect();
    assert_eq!(kids, [27, 7, 18]);
    // A binomial root has floor(b_0) children, no draw.
    let t3 = sample("T3").unwrap().tree;
    assert_eq!(t3.children(&t3.root()), 2000);
    let odd = Uts {
        kind: Kind::Binomial,
        b0: 3.5,
        root_id: 7,
        ..DEFAULTS
    };
    assert_eq!(odd.children(&odd.root()), 3);
}

fn counts(nodes: u64, leaves: u64, depth: u32) -> Counts {
    Counts {
        nodes,
        leaves,
        depth,
    }
}

/// Small whole trees, each shape and kind, with the reference's counts.
fn small_trees() -> Vec<(Uts, Counts)> {
    let geo = |shape, gen_mx, b0, root_id| Uts {
        kind: Kind::Geometric,
        shape,
        gen_mx,
        b0,
        root_id,
        ..DEFAULTS
    };
    vec![
        (DEFAULTS, counts(1732, 1050, 6)),
        (geo(Shape::ExpDec, 6, 4.0, 0), counts(4509, 2319, 17)),
        (geo(Shape::ExpDec, 10, 4.0, 19), counts(11260, 5712, 26)),
        (geo(Shape::Cyclic, 8, 5.0, 1), counts(14682, 8773, 41)),
        // The cap of 100 children is hit 67 times.
        (geo(Shape::Fixed, 2, 200.0, 7), counts(8545, 8444, 2)),
        (geo(Shape::Linear, 10, 12.0, 2), counts(1, 1, 0)),
        (
            Uts {
                kind: Kind::Binomial,
                b0: 20.0,
                q: 0.2,
                m: 4,
                root_id: 0,
                ..DEFAULTS
            },
            counts(49, 41, 4),
        ),
        (
            Uts {
                kind: Kind::Hybrid,
                shape: Shape::Linear,
                gen_mx: 8,
                b0: 4.0,
                root_id: 19,
                q: 0.2,
                m: 4,
                ..DEFAULTS
            },
            counts(1895, 1407, 31),
        ),
        (
            Uts {
                kind: Kind::Hybrid,
                shape: Shape::Fixed,
                gen_mx: 6,
                b0: 4.0,
                root_id: 11,
                q: 0.2,
                m: 4,
                shift_depth: 0.34,
            },
            counts(364, 276, 17),
        ),
    ]
}

#[test]
#[cfg_attr(
    miri,
    ignore = "tens of thousands of SHA-1 digests: minutes under miri"
)]
fn the_single_threaded_walk_counts_the_reference_trees() {
    for (tree, expected) in small_trees() {
        assert_eq!(tree.walk(), expected, "{tree:?}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "SHA-1 per node: minutes under miri")]
fn every_search_finds_the_whole_tree_with_1_2_4_and_8_workers() {
    // A cyclic geometric tree of 14,682 nodes, and a hybrid one.
    let trees = [small_trees()[3], small_trees()[7]];
    for (tree, expected) in trees {
        for workers in [1, 2, 4, 8] {
            for _ in 0..10 {
                let (parts, stats) = search_blocking(&tree, workers);
                assert_eq!(total(&parts), expected, "deque-channel, {workers} workers");
                assert_eq!(stats.len(), workers);
                assert_eq!(total(&search_rayon(&tree, workers)), expected, "rayon");
                let spun = total(&search_spinning(&tree, crossbeam_ports(workers)));
                assert_eq!(spun, expected, "crossbeam-channel");
                let spun = total(&search_spinning(&tree, spinning_ports(workers)));
                assert_eq!(spun, expected, "deque-channel spinning");
            }
        }
    }
}
