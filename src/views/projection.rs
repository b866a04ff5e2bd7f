//! Maps data to SVG coordinates, after `leptos-chartistry`'s `projection.rs`: a small type,
//! tested on its own, so chart code only says what to draw.

use ha_engine::present::Dec;
/// A linear map from a data rectangle to a pixel rectangle (SVG user units; y grows down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// Data x range (`x0 < x1`).
    pub x0: f64,
    /// Data x range end.
    pub x1: f64,
    /// Data y range (`y0 < y1`).
    pub y0: f64,
    /// Data y range end.
    pub y1: f64,
    /// Pixel left edge.
    pub left: f64,
    /// Pixel right edge.
    pub right: f64,
    /// Pixel top edge (where `y1` lands).
    pub top: f64,
    /// Pixel bottom edge (where `y0` lands).
    pub bottom: f64,
}

impl Projection {
    /// Pixel x of data `x`, clamped to the plot area.
    pub fn x(&self, x: f64) -> f64 {
        let span = (self.x1 - self.x0).max(f64::EPSILON);
        let t = ((x - self.x0) / span).clamp(0.0, 1.0);
        self.left + t * (self.right - self.left)
    }

    /// Pixel y of data `y`, clamped to the plot area.
    pub fn y(&self, y: f64) -> f64 {
        let span = (self.y1 - self.y0).max(f64::EPSILON);
        let t = ((y - self.y0) / span).clamp(0.0, 1.0);
        self.bottom - t * (self.bottom - self.top)
    }

    /// An SVG path `M x y L x y …` through the points; empty for no points.
    pub fn line(&self, points: impl IntoIterator<Item = (f64, f64)>) -> String {
        let mut d = String::new();
        for (i, (x, y)) in points.into_iter().enumerate() {
            let cmd = if i == 0 { 'M' } else { 'L' };
            d.push_str(&format!(
                "{cmd}{:.1} {:.1} ",
                Dec(self.x(x)),
                Dec(self.y(y))
            ));
        }
        d.trim_end().to_string()
    }

    /// A closed area path under the points, down to `y0`; empty for no points.
    pub fn area(&self, points: impl IntoIterator<Item = (f64, f64)>) -> String {
        let pts: Vec<(f64, f64)> = points.into_iter().collect();
        let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
            return String::new();
        };
        let base = self.y(self.y0);
        format!(
            "M{:.1} {base:.1} {} L{:.1} {base:.1} Z",
            Dec(self.x(first.0)),
            self.line(pts.iter().copied()).replacen('M', "L", 1),
            Dec(self.x(last.0)),
            base = Dec(base),
        )
    }
}

/// The smallest "nice" axis maximum (1, 2 or 5 × 10^k) at or above `v`, and at least `floor`.
pub fn nice_ceiling(v: f64, floor: f64) -> f64 {
    let v = if v.is_finite() { v.max(floor) } else { floor };
    if v <= 0.0 {
        return 1.0;
    }
    // 10^k at or below `v` by steps of ten (`log10` and `powf` cost the page 1.5 KB gzipped).
    let mut base = 1.0;
    while base * 10.0 <= v {
        base *= 10.0;
    }
    while base > v {
        base /= 10.0;
    }
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * base >= v * (1.0 - 1e-9) {
            return m * base;
        }
    }
    10.0 * base
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> Projection {
        Projection {
            x0: -60.0,
            x1: 0.0,
            y0: 0.0,
            y1: 20.0,
            left: 30.0,
            right: 330.0,
            top: 10.0,
            bottom: 110.0,
        }
    }

    #[test]
    fn corners_map_to_corners_and_y_is_flipped() {
        let p = p();
        assert_eq!((p.x(-60.0), p.y(0.0)), (30.0, 110.0));
        assert_eq!((p.x(0.0), p.y(20.0)), (330.0, 10.0));
        assert_eq!((p.x(-30.0), p.y(10.0)), (180.0, 60.0));
    }

    #[test]
    fn out_of_range_is_clamped() {
        let p = p();
        assert_eq!(p.x(-100.0), 30.0);
        assert_eq!(p.y(1e9), 10.0);
    }

    #[test]
    fn paths() {
        let p = p();
        assert_eq!(p.line([]), "");
        assert_eq!(
            p.line([(-60.0, 0.0), (0.0, 20.0)]),
            "M30.0 110.0 L330.0 10.0"
        );
        assert_eq!(
            p.area([(-60.0, 10.0), (0.0, 10.0)]),
            "M30.0 110.0 L30.0 60.0 L330.0 60.0 L330.0 110.0 Z"
        );
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0, 5.0), 5.0);
        assert_eq!(nice_ceiling(13.0, 1.0), 20.0);
        assert_eq!(nice_ceiling(20.0, 1.0), 20.0);
        assert_eq!(nice_ceiling(51.0, 1.0), 100.0);
        assert_eq!(nice_ceiling(0.3, 0.1), 0.5);
        assert_eq!(nice_ceiling(f64::NAN, 4.0), 5.0);
        assert_eq!(nice_ceiling(0.004, 0.001), 0.005);
        assert_eq!(nice_ceiling(7_300.0, 1.0), 10_000.0);
        assert_eq!(nice_ceiling(1e6, 1.0), 1e6);
    }
}
