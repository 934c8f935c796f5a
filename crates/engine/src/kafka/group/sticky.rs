//! The sticky assignment (KIP-54): as balanced as possible first, then as few partitions
//! moved as possible. The eager `sticky` and the `cooperative-sticky` assignors both run it.
//!
//! Source: kafka-python 2.x `kafka/coordinator/assignors/sticky/sticky_assignor.py`
//! (`StickyAssignmentExecutor`), which the issue names as the reference: outputs equal
//! kafka-python's for the same members in the same order. It is the balance-loop
//! algorithm of apache/kafka's `AbstractStickyAssignor` before 2.8. Kafka 3.8 still runs
//! that loop (`GeneralAssignmentBuilder`) when subscriptions differ, but with equal
//! subscriptions it runs `ConstrainedAssignmentBuilder` (quotas ⌊P/C⌋ and ⌈P/C⌉), which
//! can choose other, equally balanced and sticky, assignments.
//!
//! The steps, as `perform_initial_assignment` then `balance`:
//! 1. Each owned partition goes to the member that claims it in the highest generation
//!    (a second claim in the same generation is ignored, except in generation 0); the
//!    next-highest claimer is remembered as the partition's previous owner.
//! 2. Partitions are ordered for reassignment: by how many members could take them, then
//!    topic and partition. With equal subscriptions and something owned, first one
//!    partition at a time from the member owning the most (its last one).
//! 3. Partitions nobody owns, or owned by a member no longer subscribed to the topic, go
//!    one by one to the member owning the fewest that can take them.
//! 4. While unbalanced (sizes differ by 2 or more and a move would help), a partition
//!    moves from its member to the least loaded member that can take it, or back to its
//!    previous owner; a move against an earlier move of the same topic takes that
//!    partition back instead (`PartitionMovements`).
//! 5. If step 4 did not lower the balance score (the sum over member pairs of the size
//!    difference), the assignment from before step 4 stands.
//!
//! Where kafka-python's choice depends on Python's string hashing (popping from a set of
//! partitions that changed owner between generations, in step 2), this takes the
//! smallest partition. Where it would raise (a partition claimed twice by one member),
//! this skips.

use super::assignors::Member;
use super::partition_movements::PartitionMovements;
use crate::kafka::topic::TopicPartition as Tp;
use std::collections::{BTreeMap, BTreeSet};

/// The assignment being built: `StickyAssignmentExecutor`'s state.
pub(super) struct StickyExecutor<'a> {
    members: &'a [Member],
    /// Member id → its partitions, in the order they were added (the order matters: the
    /// last one is the first candidate in step 2).
    current: BTreeMap<String, Vec<Tp>>,
    /// Partition → the member that owned it in the generation before the latest.
    previous: BTreeMap<Tp, String>,
    /// Partition → its member now.
    owner: BTreeMap<Tp, String>,
    /// Nobody owned anything: a first assignment.
    fresh: bool,
    /// Partition → the members subscribed to its topic, in member order.
    potential_members: BTreeMap<Tp, Vec<String>>,
    /// Member id → the partitions of its topics, in subscription order.
    potential_partitions: BTreeMap<String, Vec<Tp>>,
    /// (partition count, member id), ascending: `sorted_current_subscriptions`.
    by_load: BTreeSet<(usize, String)>,
    sorted_partitions: Vec<Tp>,
    unassigned: Vec<Tp>,
    /// A member owns a partition of a topic it no longer subscribes to.
    revocation_required: bool,
    movements: PartitionMovements,
}

impl<'a> StickyExecutor<'a> {
    /// Runs the whole assignment and returns each member's partitions, sorted.
    pub(super) fn run(
        partitions: &BTreeMap<String, u32>,
        members: &'a [Member],
    ) -> BTreeMap<String, Vec<Tp>> {
        let mut ex = StickyExecutor {
            members,
            current: BTreeMap::new(),
            previous: BTreeMap::new(),
            owner: BTreeMap::new(),
            fresh: false,
            potential_members: BTreeMap::new(),
            potential_partitions: BTreeMap::new(),
            by_load: BTreeSet::new(),
            sorted_partitions: Vec::new(),
            unassigned: Vec::new(),
            revocation_required: false,
            movements: PartitionMovements::default(),
        };
        ex.initialize(partitions);
        if !members.is_empty() {
            ex.populate_sorted_partitions();
            ex.populate_partitions_to_reassign();
            ex.balance();
        }
        members
            .iter()
            .map(|m| {
                let mut v = ex.current.get(&m.id).cloned().unwrap_or_default();
                v.sort();
                (m.id.clone(), v)
            })
            .collect()
    }

    /// `_initialize` with `_init_current_assignments`.
    fn initialize(&mut self, partitions: &BTreeMap<String, u32>) {
        // Per partition, in first-claim order: generation → claiming member.
        let mut claims: Vec<(Tp, BTreeMap<i32, String>)> = Vec::new();
        let mut at: BTreeMap<Tp, usize> = BTreeMap::new();
        for m in self.members {
            for tp in &m.owned {
                match at.get(tp) {
                    Some(&i) => {
                        let by_gen = &mut claims[i].1;
                        // Python's `if generation and generation in consumers`: a second
                        // claim in one generation is dropped, but 0 is falsy.
                        if m.generation == 0 || !by_gen.contains_key(&m.generation) {
                            by_gen.insert(m.generation, m.id.clone());
                        }
                    }
                    None => {
                        at.insert(tp.clone(), claims.len());
                        claims.push((tp.clone(), BTreeMap::from([(m.generation, m.id.clone())])));
                    }
                }
            }
        }
        for (tp, by_gen) in claims {
            let mut newest = by_gen.iter().rev();
            if let Some((_, latest)) = newest.next() {
                self.current
                    .entry(latest.clone())
                    .or_default()
                    .push(tp.clone());
            }
            if let Some((_, before)) = newest.next() {
                self.previous.insert(tp, before.clone());
            }
        }
        self.fresh = self.current.is_empty();
        for (member, tps) in &self.current {
            for tp in tps {
                self.owner.insert(tp.clone(), member.clone());
            }
        }
        for (topic, &count) in partitions {
            for p in 0..count {
                self.potential_members
                    .insert(Tp::new(topic.clone(), p), Vec::new());
            }
        }
        for m in self.members {
            let mine = self.potential_partitions.entry(m.id.clone()).or_default();
            mine.clear();
            for topic in &m.topics {
                let Some(&count) = partitions.get(topic) else {
                    continue;
                };
                for p in 0..count {
                    let tp = Tp::new(topic.clone(), p);
                    mine.push(tp.clone());
                    if let Some(v) = self.potential_members.get_mut(&tp) {
                        v.push(m.id.clone());
                    }
                }
            }
            self.current.entry(m.id.clone()).or_default();
        }
    }

    /// `_are_subscriptions_identical`: every partition has the same members and every
    /// member the same partitions (lists compared in order, as Python does).
    fn subscriptions_identical(&self) -> bool {
        fn all_equal<T: PartialEq>(mut it: impl Iterator<Item = T>) -> bool {
            match it.next() {
                Some(first) => it.all(|x| x == first),
                None => true,
            }
        }
        all_equal(self.potential_members.values()) && all_equal(self.potential_partitions.values())
    }

    /// `_populate_sorted_partitions`.
    fn populate_sorted_partitions(&mut self) {
        let mut all: Vec<(usize, &Tp)> = self
            .potential_members
            .iter()
            .map(|(tp, ms)| (ms.len(), tp))
            .collect();
        all.sort();
        let all: Vec<Tp> = all.into_iter().map(|(_, tp)| tp.clone()).collect();
        self.sorted_partitions.clear();
        if self.fresh || !self.subscriptions_identical() {
            self.sorted_partitions = all;
            return;
        }
        // One partition at a time from the member owning the most (ties: the greatest
        // member id), preferring one that changed owner since the previous generation.
        let mut assignments = self.current.clone();
        for tps in assignments.values_mut() {
            tps.retain(|tp| self.potential_members.contains_key(tp));
        }
        let mut by_size: BTreeSet<(usize, String)> = assignments
            .iter()
            .map(|(m, tps)| (tps.len(), m.clone()))
            .collect();
        while let Some((_, member)) = by_size.pop_last() {
            let remaining = assignments.get_mut(&member).expect("member has an entry");
            let moved = remaining
                .iter()
                .filter(|tp| self.previous.contains_key(*tp))
                .min()
                .cloned();
            let taken = match moved {
                Some(tp) => {
                    remove_first(remaining, &tp);
                    Some(tp)
                }
                None => remaining.pop(),
            };
            if let Some(tp) = taken {
                self.sorted_partitions.push(tp);
                by_size.insert((remaining.len(), member));
            }
        }
        let listed: BTreeSet<Tp> = self.sorted_partitions.iter().cloned().collect();
        self.sorted_partitions
            .extend(all.into_iter().filter(|tp| !listed.contains(tp)));
    }

    /// `_populate_partitions_to_reassign`: everything is unassigned except partitions
    /// whose owner still subscribes to their topic.
    fn populate_partitions_to_reassign(&mut self) {
        self.unassigned = self.sorted_partitions.clone();
        let members: &'a [Member] = self.members;
        let subscribed: BTreeMap<&str, &Vec<String>> =
            members.iter().map(|m| (m.id.as_str(), &m.topics)).collect();
        for (member, tps) in self.current.iter_mut() {
            let Some(topics) = subscribed.get(member.as_str()) else {
                continue;
            };
            let mut kept = Vec::with_capacity(tps.len());
            for tp in tps.drain(..) {
                if !self.potential_members.contains_key(&tp) {
                    self.owner.remove(&tp);
                } else if !topics.contains(&tp.topic) {
                    self.owner.remove(&tp);
                    self.revocation_required = true;
                } else {
                    remove_first(&mut self.unassigned, &tp);
                    kept.push(tp);
                }
            }
            *tps = kept;
        }
    }

    /// `balance`.
    fn balance(&mut self) {
        self.by_load = self
            .current
            .iter()
            .map(|(m, tps)| (tps.len(), m.clone()))
            .collect();
        let initializing = self.by_load.last().is_some_and(|(n, _)| *n == 0);
        for tp in self.unassigned.clone() {
            if self
                .potential_members
                .get(&tp)
                .is_some_and(|ms| !ms.is_empty())
            {
                self.assign_partition(&tp);
            }
        }
        // Partitions only one member can take, and members that own all they can and
        // nothing movable, stay out of the reassignment.
        let fixed: Vec<Tp> = self
            .potential_members
            .iter()
            .filter(|(_, ms)| ms.len() < 2)
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in &fixed {
            remove_first(&mut self.sorted_partitions, tp);
            remove_first(&mut self.unassigned, tp);
        }
        let mut fixed_members: Vec<(String, Vec<Tp>)> = Vec::new();
        let ids: Vec<String> = self.potential_partitions.keys().cloned().collect();
        for m in ids {
            if !self.can_member_participate(&m) {
                let tps = self.current.remove(&m).unwrap_or_default();
                self.by_load.remove(&(tps.len(), m.clone()));
                fixed_members.push((m, tps));
            }
        }
        let before = self.current.clone();
        let before_owner = self.owner.clone();
        if !self.revocation_required {
            self.perform_reassignments(&self.unassigned.clone());
        }
        let performed = self.perform_reassignments(&self.sorted_partitions.clone());
        if !initializing && performed && score(&self.current) >= score(&before) {
            self.current = before;
            self.owner = before_owner;
        }
        for (m, tps) in fixed_members {
            self.by_load.insert((tps.len(), m.clone()));
            self.current.insert(m, tps);
        }
    }

    /// The partition count of `member`, creating its entry as Python's `defaultdict` does.
    fn load(&mut self, member: &str) -> usize {
        self.current.entry(member.to_string()).or_default().len()
    }

    fn can_take(&self, member: &str, tp: &Tp) -> bool {
        self.potential_partitions
            .get(member)
            .is_some_and(|v| v.contains(tp))
    }

    /// `_assign_partition`: to the least loaded member that can take it.
    fn assign_partition(&mut self, tp: &Tp) {
        let to = self
            .by_load
            .iter()
            .find(|(_, m)| self.can_take(m, tp))
            .cloned();
        if let Some((n, m)) = to {
            self.by_load.remove(&(n, m.clone()));
            self.current.entry(m.clone()).or_default().push(tp.clone());
            self.owner.insert(tp.clone(), m.clone());
            self.by_load.insert((n + 1, m));
        }
    }

    /// `_can_consumer_participate_in_reassignment`.
    fn can_member_participate(&self, member: &str) -> bool {
        let mine = self.current.get(member).map_or(&[][..], |v| v.as_slice());
        let max = self.potential_partitions.get(member).map_or(0, Vec::len);
        mine.len() < max
            || mine
                .iter()
                .any(|tp| self.potential_members.get(tp).is_some_and(|v| v.len() >= 2))
    }

    /// `_is_balanced`.
    fn is_balanced(&self) -> bool {
        let (Some((least, _)), Some((most, _))) = (self.by_load.first(), self.by_load.last())
        else {
            return true;
        };
        if least + 1 >= *most {
            return true;
        }
        let mut assigned: BTreeMap<&Tp, &str> = BTreeMap::new();
        for (m, tps) in &self.current {
            for tp in tps {
                assigned.insert(tp, m);
            }
        }
        for (_, m) in &self.by_load {
            let mine = self.current.get(m).map_or(&[][..], |v| v.as_slice());
            let could = self
                .potential_partitions
                .get(m)
                .map_or(&[][..], |v| v.as_slice());
            if mine.len() == could.len() {
                continue;
            }
            for tp in could.iter().filter(|tp| !mine.contains(tp)) {
                let Some(other) = assigned.get(tp) else {
                    continue;
                };
                if mine.len() < self.current.get(*other).map_or(0, Vec::len) {
                    return false;
                }
            }
        }
        true
    }

    /// `_perform_reassignments`: moves partitions until balanced or nothing moves.
    /// Returns whether anything moved.
    fn perform_reassignments(&mut self, partitions: &[Tp]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(member) = self.owner.get(tp).cloned() else {
                    continue;
                };
                let load = self.load(&member);
                if let Some(prev) = self.previous.get(tp).cloned()
                    && load > self.load(&prev) + 1
                {
                    self.reassign_to(tp, &prev);
                    performed = true;
                    modified = true;
                    continue;
                }
                let others = self.potential_members.get(tp).cloned().unwrap_or_default();
                for other in others {
                    if load > self.load(&other) + 1 {
                        self.reassign(tp);
                        performed = true;
                        modified = true;
                        break;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    /// `_reassign_partition`: to the least loaded member that can take it.
    fn reassign(&mut self, tp: &Tp) {
        let to = self
            .by_load
            .iter()
            .find(|(_, m)| self.can_take(m, tp))
            .map(|(_, m)| m.clone());
        if let Some(to) = to {
            self.reassign_to(tp, &to);
        }
    }

    /// `_reassign_partition_to_consumer`: moves `tp`, or the partition of its topic that
    /// already moved the other way.
    fn reassign_to(&mut self, tp: &Tp, to: &str) {
        let Some(from) = self.owner.get(tp).cloned() else {
            return;
        };
        let moved = self.movements.partition_to_be_moved(tp, &from, to);
        self.move_partition(&moved, to);
    }

    /// `_move_partition`.
    fn move_partition(&mut self, tp: &Tp, to: &str) {
        let Some(from) = self.owner.get(tp).cloned() else {
            return;
        };
        let (from_load, to_load) = (self.load(&from), self.load(to));
        self.by_load.remove(&(from_load, from.clone()));
        self.by_load.remove(&(to_load, to.to_string()));
        self.movements.move_partition(tp, &from, to);
        if let Some(v) = self.current.get_mut(&from) {
            remove_first(v, tp);
        }
        self.current
            .entry(to.to_string())
            .or_default()
            .push(tp.clone());
        self.owner.insert(tp.clone(), to.to_string());
        let (from_load, to_load) = (self.load(&from), self.load(to));
        self.by_load.insert((to_load, to.to_string()));
        self.by_load.insert((from_load, from));
    }
}

/// `_get_balance_score`: the sum over member pairs of their partition count difference
/// (0 is perfectly balanced).
fn score(assignment: &BTreeMap<String, Vec<Tp>>) -> usize {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    let mut total = 0;
    for (i, a) in sizes.iter().enumerate() {
        for b in &sizes[i + 1..] {
            total += a.abs_diff(*b);
        }
    }
    total
}

/// Python's `list.remove`: the first equal element, if any.
fn remove_first(v: &mut Vec<Tp>, tp: &Tp) {
    if let Some(i) = v.iter().position(|x| x == tp) {
        v.remove(i);
    }
}
