//! A small plot of the group's total lag over the whole recording
//! (`zkafka_engine::kafka::group::view::lag_series`: Σ high watermark − committed offset
//! over the partitions the group committed), as a step line. The part up to the playback
//! position is drawn solid, the rest faint, with a line at the position, so stepping back
//! and forth moves along it.

use super::help;
use leptos::prelude::*;
use zkafka_engine::describe::clock;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::group::view::LagPoint;

/// The plot's drawing box (SVG user units; the SVG stretches to the panel's width).
const W: f64 = 600.0;
const H: f64 = 100.0;

/// The series and the recording's last event time (ms).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// The points.
    pub points: Vec<LagPoint>,
    /// Virtual time of the recording's last event.
    pub end: u64,
}

/// The plot of `series` with the playback position at `now` (ms).
#[component]
pub fn LagPlot(lang: Lang, series: Series, now: u64) -> impl IntoView {
    let t = help::text(lang);
    let Some(first) = series.points.first().copied() else {
        return view! {
            <div class="grp-plot" data-testid="grp-lag-plot">
                <h4 class="grp-h">{t.lag_plot}</h4>
                <p class="hint">{t.lag_none}</p>
            </div>
        }
        .into_any();
    };
    let t0 = first.time;
    let t1 = series.end.max(now).max(t0 + 1);
    let most = series
        .points
        .iter()
        .map(|p| p.lag)
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |time: u64| (time.saturating_sub(t0)) as f64 * W / (t1 - t0) as f64;
    let y = |lag: u64| H - 3.0 - lag as f64 * (H - 8.0) / most as f64;
    let mut d = format!("M{:.1},{:.1}", x(first.time), y(first.lag));
    for p in &series.points[1..] {
        d.push_str(&format!("H{:.1}V{:.1}", x(p.time), y(p.lag)));
    }
    d.push_str(&format!("H{W:.1}"));
    let cut = x(now).clamp(0.0, W);
    let area = format!("{d}V{H:.1}H{:.1}Z", x(first.time));
    let at_now = series
        .points
        .iter()
        .take_while(|p| p.time <= now)
        .last()
        .map_or(0, |p| p.lag);
    view! {
        <div class="grp-plot" data-testid="grp-lag-plot">
            <h4 class="grp-h">{t.lag_plot}</h4>
            <div class="grp-plot-box">
                <span class="grp-ymax">{most}</span>
                <svg class="grp-svg" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none"
                    role="img" aria-label=t.lag_plot>
                    <defs>
                        <clipPath id="grp-past"><rect x="0" y="0" width=format!("{cut:.1}") height=H.to_string()></rect></clipPath>
                    </defs>
                    <path class="grp-area" d=area.clone() clip-path="url(#grp-past)"></path>
                    <path class="grp-line future" d=d.clone()></path>
                    <path class="grp-line" d=d clip-path="url(#grp-past)"></path>
                    <line class="grp-cursor" x1=format!("{cut:.1}") x2=format!("{cut:.1}") y1="0" y2=H.to_string()></line>
                </svg>
                <div class="grp-xaxis">
                    <span>{clock(t0)}</span>
                    <span class="grp-nowlab">{format!("{} {} · {} {at_now}", t.now, clock(now), t.lag)}</span>
                    <span>{clock(t1)}</span>
                </div>
            </div>
            <p class="hint grp-plot-hint">{t.lag_plot_hint}</p>
        </div>
    }
    .into_any()
}
