//! Candidates for what no list names: the words that a spinner may have
//! replaced by a given word, read backwards off the thesaurus that
//! spinners use, with the word's inflection carried over.

use fst::{IntoStreamer, Map, Set, Streamer};

use crate::context::memory::Memory;
use crate::context::LanguageModel;

/// How a word is inflected, as far as carrying it over needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inflection {
    Base,
    Plural,
    Past,
    Progressive,
}

/// A possible original of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The original, inflected as the word is.
    pub word: String,
    /// The thesaurus root it comes from.
    pub root: String,
    /// How many synonyms the root lists: a root with many is a weaker
    /// candidate for any one of them.
    pub breadth: u64,
}

/// The inverse thesaurus.
pub struct Thesaurus {
    inverse: Set<&'static [u8]>,
    breadth: Map<&'static [u8]>,
}

impl std::fmt::Debug for Thesaurus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thesaurus")
            .field("links", &self.inverse.len())
            .finish()
    }
}

/// The most candidates kept for one word, the most frequent first: the
/// words spinners replace are common ones.
pub const CANDIDATES_PER_WORD: usize = 12;

impl Thesaurus {
    /// The thesaurus built into the binary (`dictionaries/thesaurus.tsv`).
    pub fn embedded() -> &'static Thesaurus {
        static THESAURUS: std::sync::OnceLock<Thesaurus> = std::sync::OnceLock::new();
        THESAURUS.get_or_init(|| Thesaurus {
            // build.rs built these maps.
            inverse: Set::new(crate::embedded::THESAURUS_INVERSE).expect("valid inverse set"),
            breadth: Map::new(crate::embedded::THESAURUS_BREADTH).expect("valid breadth map"),
        })
    }

    /// The roots that list `word` as a synonym.
    fn roots(&self, word: &str, out: &mut Vec<String>) {
        let mut prefix = word.as_bytes().to_vec();
        prefix.push(b'\t');
        let mut end = prefix.clone();
        *end.last_mut().expect("not empty") += 1;
        let mut stream = self.inverse.range().ge(&prefix).lt(&end).into_stream();
        while let Some(key) = stream.next() {
            if let Ok(root) = std::str::from_utf8(&key[prefix.len()..]) {
                out.push(root.to_string());
            }
        }
    }

    /// [`Thesaurus::candidates`], remembered per thread: a document asks
    /// about the same words again and again, and finding a word's
    /// candidates reads every root that lists it. The memory belongs to
    /// one model at a time, and is emptied when it grows large.
    pub fn candidates_cached(
        &self,
        word: &str,
        model: &dyn LanguageModel,
    ) -> std::rc::Rc<Vec<Candidate>> {
        use std::cell::RefCell;
        use std::rc::Rc;
        /// Words remembered per thread: a word's candidates take about a
        /// kilobyte, so this bounds the memory per thread at some 8 MB.
        const REMEMBERED: usize = 1 << 13;
        thread_local! {
            static MEMORY: RefCell<Memory<String, Rc<Vec<Candidate>>>> =
                RefCell::new(Memory::new(REMEMBERED / 2));
        }
        // Whose candidates are remembered: the model's address.
        let owner = model as *const dyn LanguageModel as *const u8 as usize;
        MEMORY.with(|memory| {
            memory
                .borrow_mut()
                .get_or_insert_with(owner, word, str::to_string, || {
                    Rc::new(self.candidates(word, model))
                })
        })
    }

    /// The possible originals of `word` (normalised), known to `model`,
    /// at most [`CANDIDATES_PER_WORD`], the most probable first.
    pub fn candidates(&self, word: &str, model: &dyn LanguageModel) -> Vec<Candidate> {
        // Each form with its prior and root. A word is listed by up to
        // hundreds of roots, and only the twelve most probable forms are
        // kept: a root's breadth is read for those alone, and a form seen
        // twice is dropped after sorting (the first stays, as the sort is
        // stable and both copies have the same prior).
        let mut found: Vec<(f32, String, String)> = Vec::new();
        let mut roots = Vec::new();
        for (base, inflection) in bases(word) {
            roots.clear();
            self.roots(&base, &mut roots);
            for root in roots.drain(..) {
                if inflection != Inflection::Base && root.contains(' ') {
                    continue;
                }
                let form = inflect(&root, inflection);
                if form == word {
                    continue;
                }
                let words: Vec<&str> = form.split(' ').collect();
                let Some(prior) = model.known_log_prob(&words) else {
                    continue;
                };
                found.push((prior, form, root));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        found.dedup_by(|later, first| later.1 == first.1);
        found
            .into_iter()
            .take(CANDIDATES_PER_WORD)
            .map(|(_, word, root)| Candidate {
                breadth: self.breadth.get(&root).unwrap_or(1).max(1),
                word,
                root,
            })
            .collect()
    }
}

/// The base forms a word may be an inflection of, with the inflection.
fn bases(word: &str) -> Vec<(String, Inflection)> {
    let mut out = vec![(word.to_string(), Inflection::Base)];
    let mut strip = |suffix: &str, add: &str, inflection: Inflection| {
        if let Some(stem) = word.strip_suffix(suffix) {
            if stem.len() >= 3 {
                out.push((format!("{stem}{add}"), inflection));
            }
        }
    };
    strip("ies", "y", Inflection::Plural);
    strip("es", "", Inflection::Plural);
    strip("s", "", Inflection::Plural);
    strip("ied", "y", Inflection::Past);
    strip("ed", "", Inflection::Past);
    strip("d", "", Inflection::Past);
    strip("ing", "", Inflection::Progressive);
    strip("ing", "e", Inflection::Progressive);
    out.retain(|(base, inflection)| *inflection == Inflection::Base || base != word);
    out
}

/// `root` inflected as `inflection` asks, by the regular rules; the model
/// then drops forms that English does not have.
fn inflect(root: &str, inflection: Inflection) -> String {
    let consonant_y = root.len() > 1
        && root.ends_with('y')
        && !matches!(root.as_bytes()[root.len() - 2], b'a' | b'e' | b'o' | b'u');
    match inflection {
        Inflection::Base => root.to_string(),
        Inflection::Plural if consonant_y => format!("{}ies", &root[..root.len() - 1]),
        Inflection::Plural
            if ["s", "x", "z", "ch", "sh"]
                .iter()
                .any(|s| root.ends_with(s)) =>
        {
            format!("{root}es")
        }
        Inflection::Plural => format!("{root}s"),
        Inflection::Past if root.ends_with('e') => format!("{root}d"),
        Inflection::Past if consonant_y => format!("{}ied", &root[..root.len() - 1]),
        Inflection::Past => format!("{root}ed"),
        Inflection::Progressive if root.ends_with('e') && !root.ends_with("ee") => {
            format!("{}ing", &root[..root.len() - 1])
        }
        Inflection::Progressive => format!("{root}ing"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflection_is_carried_over() {
        assert_eq!(inflect("school", Inflection::Plural), "schools");
        assert_eq!(inflect("business", Inflection::Plural), "businesses");
        assert_eq!(inflect("city", Inflection::Plural), "cities");
        assert_eq!(inflect("use", Inflection::Progressive), "using");
        assert_eq!(inflect("expect", Inflection::Past), "expected");
        assert!(bases("colleges").contains(&("college".into(), Inflection::Plural)));
        assert!(bases("utilizing").contains(&("utilize".into(), Inflection::Progressive)));
    }

    #[test]
    fn the_thesaurus_read_backwards_proposes_originals() {
        let model = crate::context::embedded();
        let thesaurus = Thesaurus::embedded();
        let words = |w: &str| -> Vec<String> {
            thesaurus
                .candidates(w, model)
                .into_iter()
                .map(|c| c.word)
                .collect()
        };
        assert!(
            words("residence").contains(&"house".to_string()),
            "{:?}",
            words("residence")
        );
        assert!(
            words("colleges").contains(&"schools".to_string()),
            "{:?}",
            words("colleges")
        );
    }
}
