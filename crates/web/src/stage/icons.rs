//! Small icons drawn as SVG shapes rather than text glyphs: the pause (⏸) and power (⏻)
//! symbols are missing from many system fonts and would show as empty boxes.

use leptos::prelude::*;

/// A pause symbol (two bars) centred on (`x`, `y`), `size` px tall.
pub fn pause(x: f64, y: f64, size: f64) -> AnyView {
    let (w, gap) = (size * 0.32, size * 0.22);
    view! {
        <g class="icon-pause" transform=format!("translate({x:.1},{y:.1})")>
            <rect x=-gap / 2.0 - w y=-size / 2.0 width=w height=size rx=w * 0.25></rect>
            <rect x=gap / 2.0 y=-size / 2.0 width=w height=size rx=w * 0.25></rect>
        </g>
    }
    .into_any()
}

/// A power symbol (a broken ring and a bar) centred on (`x`, `y`), `size` px across.
pub fn power(x: f64, y: f64, size: f64) -> AnyView {
    let r = size * 0.42;
    // The ring opens at the top, 40° either side of the bar.
    let (sx, sy) = (r * 40f64.to_radians().sin(), -r * 40f64.to_radians().cos());
    let ring = format!(
        "M{:.2},{:.2} A{r:.2},{r:.2} 0 1 0 {:.2},{:.2}",
        -sx, sy, sx, sy
    );
    let bar = format!("M0,{:.2} V{:.2}", -size / 2.0, -size * 0.05);
    view! {
        <g class="icon-power" transform=format!("translate({x:.1},{y:.1})")>
            <path d=ring stroke-width=size * 0.12></path>
            <path d=bar stroke-width=size * 0.12></path>
        </g>
    }
    .into_any()
}
