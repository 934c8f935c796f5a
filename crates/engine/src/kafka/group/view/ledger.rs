//! The processed-record ledgers in the picture: each consumer's newest entries, marked as a
//! first processing, a duplicate or one that follows a gap.

use super::*;

/// Each consumer's ledger, marked in processing order: the trace's `Consumed` changes
/// give the order across consumers (each stands for that many of the consumer's next
/// ledger entries); without a trace, consumer by consumer.
pub(super) fn ledgers(
    w: &World,
    consumers: &[&Consumer],
    read_committed: bool,
    hist: Option<&History>,
) -> Vec<LedgerView> {
    // The order: (consumer index, entry index).
    let mut order: Vec<(usize, usize)> = Vec::new();
    let mut next: Vec<usize> = vec![0; consumers.len()];
    if let Some(h) = hist {
        for (n, count) in &h.processed {
            let Some(i) = consumers.iter().position(|c| c.id() == *n) else {
                continue;
            };
            let len = consumers[i].ledger().entries().len();
            for _ in 0..*count {
                if next[i] < len {
                    order.push((i, next[i]));
                    next[i] += 1;
                }
            }
        }
    }
    for (i, c) in consumers.iter().enumerate() {
        let len = c.ledger().entries().len();
        order.extend((next[i]..len).map(|e| (i, e)));
    }

    let mut data: BTreeMap<TopicPartition, BTreeSet<u64>> = BTreeMap::new();
    let mut seen: BTreeMap<TopicPartition, BTreeMap<u64, u64>> = BTreeMap::new();
    let mut marks: Vec<Vec<Mark>> = consumers
        .iter()
        .map(|c| Vec::with_capacity(c.ledger().entries().len()))
        .collect();
    for (i, e) in order {
        let p = &consumers[i].ledger().entries()[e];
        let offsets = seen.entry(p.tp.clone()).or_default();
        let before = offsets.get(&p.offset).copied().unwrap_or(0);
        let mark = if before > 0 {
            Mark::Duplicate { before }
        } else {
            match offsets.keys().next_back().copied() {
                Some(top) if top < p.offset => {
                    let present = data
                        .entry(p.tp.clone())
                        .or_insert_with(|| delivery::data_offsets(w, &p.tp, read_committed));
                    let missing = present
                        .range(top + 1..p.offset)
                        .filter(|o| !offsets.contains_key(o))
                        .count() as u64;
                    if missing > 0 {
                        Mark::GapBefore { missing }
                    } else {
                        Mark::Normal
                    }
                }
                _ => Mark::Normal,
            }
        };
        *offsets.entry(p.offset).or_default() += 1;
        // Entries are visited in each consumer's own order, so marks line up.
        marks[i].push(mark);
    }

    consumers
        .iter()
        .zip(marks)
        .map(|(c, marks)| {
            let entries = c.ledger().entries();
            let duplicates = marks
                .iter()
                .filter(|m| matches!(m, Mark::Duplicate { .. }))
                .count() as u64;
            let gaps = marks
                .iter()
                .filter(|m| matches!(m, Mark::GapBefore { .. }))
                .count() as u64;
            let skip = entries.len().saturating_sub(SHOWN_LEDGER);
            LedgerView {
                consumer: c.id(),
                processed: entries.len() as u64,
                duplicates,
                gaps,
                entries: entries
                    .iter()
                    .zip(marks.iter())
                    .skip(skip)
                    .map(|(p, m)| LedgerEntry {
                        tp: p.tp.clone(),
                        offset: p.offset,
                        value: p.value.clone(),
                        incarnation: p.incarnation,
                        mark: *m,
                    })
                    .collect(),
            }
        })
        .collect()
}
