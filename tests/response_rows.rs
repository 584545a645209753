//! The Flight row framer: React's row grammar, every chunking, hostile input.

mod common;

use common::Rng;
use flight_codec::response::rows::{FrameErrorKind, FrameLimits, Row, RowFramer, RowTag};

/// A production stream React 19.3.1 wrote (wire-format.md §3.5), with a
/// binary row containing `\n` and `:` and a 1030-byte text row.
fn sample() -> Vec<u8> {
    let mut s = b"2:[[\"k\",1]]\n3:o3,\x01\x02\x034:T406,".to_vec();
    s.extend(std::iter::repeat_n(b'L', 0x406));
    s.extend_from_slice(b"5:{\"id\":\"mod#echo\",\"bound\":null}\n");
    s.extend_from_slice(b"0:{\"p\":\"$@1\",\"m\":\"$Q2\",\"u\":\"$3\",\"s\":\"$4\"}\n");
    s.extend_from_slice(b"1:o4,\n:,\n:N1795462224119.5786\n:HL[\"/style.css\",\"style\"]\n6:T2,\xc3\xa9");
    s.extend_from_slice(
        b"7:I[\"client-mod\",[\"chunk-a\",\"chunk-a.js\"],\"Button\"]\n8:E{\"digest\":\"D\"}\n9:R\n9:C\na:\n",
    );
    s.extend_from_slice(b"1:\"resolved later\"\n");
    s
}

fn frame_all(stream: &[u8], cuts: &[usize]) -> Result<Vec<Row>, flight_codec::response::rows::FrameError> {
    let mut f = RowFramer::new(FrameLimits::default());
    let mut rows = Vec::new();
    let mut at = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        f.feed(&stream[at..c])?;
        at = c;
        while let Some(r) = f.next_row() {
            rows.push(r);
        }
    }
    f.finish()?;
    Ok(rows)
}

#[test]
fn rows_of_a_react_stream() {
    let rows = frame_all(&sample(), &[]).unwrap();
    let summary: Vec<(u32, RowTag, usize)> = rows.iter().map(|r| (r.id, r.tag, r.payload.len())).collect();
    assert_eq!(
        summary,
        [
            (2, RowTag::Json, 9),
            (3, RowTag::Binary(b'o'), 3),
            (4, RowTag::Binary(b'T'), 0x406),
            (5, RowTag::Json, 30),
            (0, RowTag::Json, 39),
            (1, RowTag::Binary(b'o'), 4),
            (0, RowTag::Tagged(b'N'), 18),
            (0, RowTag::Tagged(b'H'), 23),
            (6, RowTag::Binary(b'T'), 2),
            (7, RowTag::Tagged(b'I'), 48),
            (8, RowTag::Tagged(b'E'), 14),
            (9, RowTag::Tagged(b'R'), 0),
            (9, RowTag::Tagged(b'C'), 0),
            (10, RowTag::Json, 0),
            (1, RowTag::Json, 16),
        ]
    );
    assert_eq!(&rows[5].payload[..], b"\n:,\n");
    assert_eq!(&rows[8].payload[..], "é".as_bytes());
    assert_eq!(rows[1].offset, 12);
}

#[test]
fn every_chunking_gives_the_same_rows() {
    let s = sample();
    let whole = frame_all(&s, &[]).unwrap();
    assert_eq!(frame_all(&s, &(1..s.len()).collect::<Vec<_>>()).unwrap(), whole);
    for i in 0..s.len() {
        assert_eq!(frame_all(&s, &[i]).unwrap(), whole, "split at {i}");
    }
    let mut rng = Rng(7);
    for _ in 0..200 {
        let mut cuts: Vec<usize> = (0..rng.below(20)).map(|_| rng.below(s.len() as u64) as usize).collect();
        cuts.sort();
        assert_eq!(frame_all(&s, &cuts).unwrap(), whole);
    }
}

#[test]
fn truncation_anywhere_inside_a_row_is_an_error() {
    let s = sample();
    let whole = frame_all(&s, &[]).unwrap();
    let ends: Vec<u64> = whole.iter().skip(1).map(|r| r.offset).chain(std::iter::once(s.len() as u64)).collect();
    for cut in 0..s.len() {
        let r = frame_all(&s[..cut], &[]);
        if cut == 0 || ends.contains(&(cut as u64)) {
            assert!(r.is_ok(), "cut at a row boundary {cut}");
        } else {
            let e = r.unwrap_err();
            assert_eq!(e.kind, FrameErrorKind::Truncated, "cut {cut}");
            assert_eq!(e.offset, cut as u64);
        }
    }
}

fn first_error(stream: &[u8], limits: FrameLimits) -> (FrameErrorKind, u64, String) {
    let mut f = RowFramer::new(limits);
    let e = f.feed(stream).and_then(|_| f.finish()).unwrap_err();
    // Once failed, the framer keeps failing.
    assert_eq!(f.feed(b"0:1\n").unwrap_err(), e);
    (e.kind, e.offset, e.to_string())
}

#[test]
fn hostile_ids_and_lengths() {
    use FrameErrorKind::*;
    let l = FrameLimits::default();
    // React folds `100000000:` into row 0 with 32-bit shifts; we refuse.
    assert_eq!(
        first_error(b"100000000:\"evil\"\n", l),
        (IdOverflow, 8, "row id does not fit in 32 bits at byte 8".into())
    );
    assert_eq!(first_error(b"1g:1\n", l), (InvalidId, 1, "row id is not lowercase hex at byte 1".into()));
    assert_eq!(first_error(b"1A:1\n", l).0, InvalidId);
    assert_eq!(first_error(b"01:1\n", l).0, InvalidId);
    // React reads a length of ffffffff as -1; we refuse it before reading a byte of it.
    assert_eq!(first_error(b"1:offffffff,", l), (RowTooLarge, 11, "row larger than the limit at byte 11".into()));
    assert_eq!(first_error(b"1:o123456789,", l).0, RowTooLarge);
    assert_eq!(first_error(b"1:oz,", l), (InvalidLength, 3, "row length is not lowercase hex at byte 3".into()));
    assert_eq!(first_error(b"1:o,", l).0, InvalidLength);
    assert_eq!(first_error(b"1:o01,", l).0, InvalidLength);
}

#[test]
fn the_largest_id_is_accepted() {
    let rows = frame_all(b"ffffffff:1\n", &[]).unwrap();
    assert_eq!(rows[0].id, u32::MAX);
}

#[test]
fn row_size_limit_at_and_past() {
    let mut l = FrameLimits::default();
    l.max_row_bytes = 4;
    let mut f = RowFramer::new(l);
    f.feed(b"1:o4,abcd0:\"ab\"\n").unwrap();
    assert_eq!(f.next_row().unwrap().payload.len(), 4);
    assert_eq!(f.next_row().unwrap().payload.len(), 4);
    assert_eq!(first_error(b"1:o5,abcde", l).0, FrameErrorKind::RowTooLarge);
    assert_eq!(first_error(b"0:\"abc\"\n", l).0, FrameErrorKind::RowTooLarge);
    // Line rows are checked while they arrive, before their newline.
    let mut f = RowFramer::new(l);
    f.feed(b"0:\"abc").unwrap();
    assert_eq!(f.feed(b"d").unwrap_err().kind, FrameErrorKind::RowTooLarge);
}

#[test]
fn a_huge_declared_length_allocates_nothing_up_front() {
    // 60 MiB declared, 3 bytes sent: the framer holds 3 bytes, then reports truncation.
    let mut f = RowFramer::new(FrameLimits::default());
    f.feed(b"1:T3c00000,abc").unwrap();
    assert!(f.next_row().is_none());
    assert_eq!(f.finish().unwrap_err().kind, FrameErrorKind::Truncated);
}
