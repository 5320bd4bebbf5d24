//! Renders findings and per-file summaries, one [`Report`] per format.
//!
//! Findings are plain serialisable records ([`finding`]), so adding a
//! format means one more implementation of the trait, in its own file,
//! and one line in [`for_format`].

mod finding;
mod formats;
mod html;

pub use finding::{spin_score, Finding, Report, Summary};

use crate::cli::args::Format;
use formats::{Human, Json, Sarif};

/// The report of `-l`: paths only.
pub fn paths() -> Box<dyn Report> {
    Box::new(formats::Paths)
}

/// The report for a format.
pub fn for_format(format: Format) -> Box<dyn Report> {
    match format {
        Format::Human => Box::new(Human),
        Format::Json => Box::new(Json),
        Format::Sarif => Box::new(Sarif::default()),
        Format::Html => Box::new(html::Html::default()),
    }
}
