//! The decoder's per-thread memories of answers it asks for again and
//! again (word numbers, n-gram figures, candidates).
//!
//! A memory is bounded, and it keeps two generations: when the young one
//! is full it becomes the old one and the oldest answers are dropped, and
//! an answer found among the old ones moves back to the young. Emptying
//! the whole memory when full, as a single map must, threw away the
//! frequent words of a long stream with the rare ones, and the decoder
//! asked the maps about them all over again.

use std::borrow::Borrow;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A bounded memory of at most `2 * generation` answers, for one owner at
/// a time (a model's or thesaurus's address).
#[derive(Debug)]
pub(crate) struct Memory<K, V> {
    owner: usize,
    generation: usize,
    young: FxHashMap<K, V>,
    old: FxHashMap<K, V>,
}

impl<K: Hash + Eq, V: Clone> Memory<K, V> {
    /// An empty memory whose generations hold `generation` answers each.
    pub(crate) fn new(generation: usize) -> Memory<K, V> {
        Memory {
            owner: 0,
            generation: generation.max(1),
            young: FxHashMap::default(),
            old: FxHashMap::default(),
        }
    }

    /// The answer for `key`, from memory or else from `find`; `owner` is
    /// whose answers they are, and a new owner starts an empty memory.
    pub(crate) fn get_or_insert_with<Q>(
        &mut self,
        owner: usize,
        key: &Q,
        to_key: impl FnOnce(&Q) -> K,
        find: impl FnOnce() -> V,
    ) -> V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if owner != self.owner {
            self.owner = owner;
            self.young.clear();
            self.old.clear();
        }
        if let Some(value) = self.young.get(key) {
            return value.clone();
        }
        let value = match self.old.remove_entry(key) {
            Some((_, value)) => value,
            None => find(),
        };
        if self.young.len() >= self.generation {
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
        }
        self.young.insert(to_key(key), value.clone());
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_answers_survive_a_full_generation_and_the_size_stays_bounded() {
        let mut memory: Memory<u32, u32> = Memory::new(4);
        let mut asked = 0;
        let mut get = |memory: &mut Memory<u32, u32>, key: u32| {
            memory.get_or_insert_with(
                1,
                &key,
                |k| *k,
                || {
                    asked += 1;
                    key * 10
                },
            )
        };
        // Key 0 is asked between every rare key.
        for rare in 1..100 {
            assert_eq!(get(&mut memory, 0), 0);
            assert_eq!(get(&mut memory, rare), rare * 10);
            assert!(memory.young.len() + memory.old.len() <= 8);
        }
        // Key 0 was found once; every rare key once.
        assert_eq!(asked, 100);
        // A new owner forgets everything.
        memory.get_or_insert_with(2, &0, |k| *k, || 7);
        assert_eq!(memory.young.len() + memory.old.len(), 1);
    }
}
