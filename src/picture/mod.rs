//! Pictures of a map for slides and print: `export --format svg|png|pdf`.
//! The layout is drawn once as SVG ([`draw`]); the PNG is that SVG
//! rasterised at twice its size (resvg), the PDF that SVG as one vector
//! page with the font embedded and the text selectable (svg2pdf). Both
//! read the SVG with the bundled font alone (no system fonts), so the same
//! journey gives the same bytes on every machine.

mod draw;
pub mod font;

use std::sync::{Arc, OnceLock};

use crate::render::i18n;
use crate::resolve::Handbook;

/// The picture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }
}

/// What can go wrong turning the SVG into PNG or PDF (a defect of ours,
/// never of the content: reported, not panicked on).
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the picture's SVG does not parse: {0}")]
    Svg(String),
    #[error("the picture is too large to rasterise ({0} × {1} pixels)")]
    TooLarge(u32, u32),
    #[error("cannot encode the PNG: {0}")]
    Png(String),
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}

/// The picture of journey `id` (which must exist) in `format`.
pub fn journey(h: &Handbook, id: &str, format: Format) -> Result<Vec<u8>, PictureError> {
    let svg = draw::journey_svg(h, id, i18n::strings(h.config.language));
    match format {
        Format::Svg => Ok(svg.into_bytes()),
        Format::Png => png(&svg),
        Format::Pdf => pdf(&svg),
    }
}

/// The bundled font, as the SVG reader sees it.
fn options() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(font::REGULAR.to_vec());
        db.load_font_data(font::BOLD.to_vec());
        db.set_sans_serif_family(font::FAMILY);
        resvg::usvg::Options {
            font_family: font::FAMILY.to_owned(),
            fontdb: Arc::new(db),
            ..resvg::usvg::Options::default()
        }
    })
}

fn tree(svg: &str) -> Result<resvg::usvg::Tree, PictureError> {
    resvg::usvg::Tree::from_str(svg, options()).map_err(|e| PictureError::Svg(e.to_string()))
}

/// The SVG rasterised at 2×.
fn png(svg: &str) -> Result<Vec<u8>, PictureError> {
    let tree = tree(svg)?;
    let size = tree.size().to_int_size();
    let (w, h) = (size.width() * 2, size.height() * 2);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or(PictureError::TooLarge(w, h))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PictureError::Png(e.to_string()))
}

/// The SVG as a one-page PDF, the page the picture's size.
fn pdf(svg: &str) -> Result<Vec<u8>, PictureError> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| PictureError::Pdf(e.to_string()))
}
