//! Charts drawn on the server as inline SVG: a page with charts is complete without
//! JavaScript, every bar has a tooltip with its numbers, and the whole chart has a text
//! label for screen readers. One component for every chart of the console.

use super::EmptyState;
use crate::fmt_date;
use leptos::prelude::*;

/// One bar: the day it stands for (unix ms at its start), its height, and its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub day_start: i64,
    pub value: i64,
    pub tip: String,
}

/// Bars per day, oldest left. `what` names the quantity ("Bytes per day"), `scale`
/// writes a value for the axis, and `empty` is what to say when every bar is 0.
#[component]
pub fn DayBars(
    bars: Vec<Bar>,
    what: &'static str,
    scale: fn(i64) -> String,
    empty: (&'static str, &'static str),
    testid: &'static str,
) -> impl IntoView {
    if bars.iter().all(|b| b.value == 0) {
        return view! { <EmptyState title=empty.0.to_string() hint=empty.1.to_string()/> }
            .into_any();
    }
    // The bars are drawn in a plot of W × H units stretched to the box (so they fill any
    // width), while the axis labels are HTML beside it, at the page's own text size on a
    // phone as on a wide screen.
    const W: f64 = 720.0;
    const H: f64 = 100.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let slot = W / bars.len().max(1) as f64;
    let first = bars
        .first()
        .map(|b| fmt_date(b.day_start))
        .unwrap_or_default();
    let last = bars
        .last()
        .map(|b| fmt_date(b.day_start))
        .unwrap_or_default();
    let rects = bars
        .iter()
        .map(|b| {
            if b.value <= 0 {
                0.0
            } else {
                (b.value as f64 / max as f64 * H).max(1.5)
            }
        })
        .zip(&bars)
        .enumerate()
        .map(|(i, (h, b))| {
            let x = i as f64 * slot + slot * 0.15;
            view! {
                <rect class="chart-bar" x=format!("{x:.1}") y=format!("{:.1}", H - h) width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")>
                    <title>{b.tip.clone()}</title>
                </rect>
            }
        })
        .collect_view();
    let label = format!("{what} from {first} to {last}; peak {}", scale(max));
    view! {
        <div class="daybars">
            <div class="daybars-y" aria-hidden="true"><span>{scale(max)}</span><span>"0"</span></div>
            <svg class="chart" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=label data-testid=testid>
                <line class="chart-grid" x1="0" y1="0.5" x2=W.to_string() y2="0.5" vector-effect="non-scaling-stroke"/>
                {rects}
                <line class="chart-axis" x1="0" y1=H.to_string() x2=W.to_string() y2=H.to_string() vector-effect="non-scaling-stroke"/>
            </svg>
            <div class="daybars-x" aria-hidden="true"><span>{first}</span><span>{last}</span></div>
        </div>
    }
    .into_any()
}

/// Counts by kind as horizontal bars (HTML, so the labels wrap on a phone): each row
/// is the kind, its bar scaled to the largest count, and the count.
#[component]
pub fn CountBars(
    rows: Vec<(String, i64)>,
    label: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let items = rows
        .into_iter()
        .map(|(kind, n)| {
            let pct = (n as f64 / max as f64 * 100.0).clamp(0.0, 100.0);
            view! {
                <li class="count-bar" data-testid="count-bar">
                    <span class="count-bar-kind">{kind}</span>
                    <span class="count-bar-track" aria-hidden="true"><span class="count-bar-fill" style=format!("width: {pct:.1}%")></span></span>
                    <span class="count-bar-value">{n}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="count-bars" aria-label=label data-testid=testid>{items}</ul> }
}
