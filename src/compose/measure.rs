//! The glyph metrics the composer needs ([`Measure`]), read from the
//! faces of each role.

use crate::fonts::{Fonts, Role};

use super::grid::{Face, Measure};
use super::rows::role;

impl Measure for Fonts {
    fn advance(&self, c: char, face: Face, latin: bool) -> f64 {
        let role = role(face);
        // Latin text comes from the Latin face where it has the glyph, as
        // in the layout's font list.
        latin
            .then(|| Fonts::advance(self, Role::Latin, c))
            .flatten()
            .or_else(|| Fonts::advance(self, role, c))
            .unwrap_or(1.0)
    }

    fn ink(&self, c: char, face: Face) -> Vec<(f64, f64)> {
        let role = role(face);
        let Some(font) = self.face_for(role, c).and_then(|f| self.font(f.index)) else {
            return Vec::new();
        };
        let Ok(ttf) = ttf_parser::Face::parse(font.data(), font.index()) else {
            return Vec::new();
        };
        let Some(glyph) = ttf.glyph_index(c) else {
            return Vec::new();
        };
        let mut pieces = Contours::default();
        ttf.outline_glyph(glyph, &mut pieces);
        pieces.close();
        let em = f64::from(ttf.units_per_em());
        // Contours that overlap are one piece of ink.
        let mut ranges = pieces.ranges;
        ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut ink: Vec<(f64, f64)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match ink.last_mut() {
                Some(last) if lo <= last.1 * em => last.1 = last.1.max(hi / em),
                _ => ink.push((lo / em, hi / em)),
            }
        }
        ink
    }
}

/// The horizontal extent of each contour of a glyph outline, in font units.
#[derive(Default)]
struct Contours {
    ranges: Vec<(f64, f64)>,
    current: Option<(f64, f64)>,
}

impl Contours {
    fn point(&mut self, x: f32) {
        let x = f64::from(x);
        let r = self.current.get_or_insert((x, x));
        r.0 = r.0.min(x);
        r.1 = r.1.max(x);
    }
    fn close(&mut self) {
        self.ranges.extend(self.current.take());
    }
}

impl ttf_parser::OutlineBuilder for Contours {
    fn move_to(&mut self, x: f32, _: f32) {
        self.close();
        self.point(x);
    }
    fn line_to(&mut self, x: f32, _: f32) {
        self.point(x);
    }
    fn quad_to(&mut self, x1: f32, _: f32, x: f32, _: f32) {
        self.point(x1);
        self.point(x);
    }
    fn curve_to(&mut self, x1: f32, _: f32, x2: f32, _: f32, x: f32, _: f32) {
        self.point(x1);
        self.point(x2);
        self.point(x);
    }
    fn close(&mut self) {
        Contours::close(self);
    }
}
