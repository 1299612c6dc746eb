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
    const W: f64 = 720.0;
    const H: f64 = 160.0;
    const TOP: f64 = 12.0;
    const LEFT: f64 = 64.0;
    const BOTTOM: f64 = 22.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let slot = (W - LEFT) / bars.len().max(1) as f64;
    let plot_h = H - TOP - BOTTOM;
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
        .enumerate()
        .map(|(i, b)| {
            let h = if b.value <= 0 {
                0.0
            } else {
                (b.value as f64 / max as f64 * plot_h).max(2.0)
            };
            let x = LEFT + i as f64 * slot + slot * 0.15;
            view! {
                <rect class="chart-bar" x=format!("{x:.1}") y=format!("{:.1}", TOP + plot_h - h) width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")>
                    <title>{b.tip.clone()}</title>
                </rect>
            }
        })
        .collect_view();
    let label = format!("{what} from {first} to {last}; peak {}", scale(max));
    let f = |v: f64| format!("{v:.1}");
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label data-testid=testid>
            <line class="chart-axis" x1=f(LEFT) y1=f(TOP + plot_h) x2=f(W) y2=f(TOP + plot_h)/>
            <line class="chart-grid" x1=f(LEFT) y1=f(TOP) x2=f(W) y2=f(TOP)/>
            <text class="chart-label" x=f(LEFT - 6.0) y=f(TOP + 4.0) text-anchor="end">{scale(max)}</text>
            <text class="chart-label" x=f(LEFT - 6.0) y=f(TOP + plot_h) text-anchor="end">"0"</text>
            {rects}
            <text class="chart-label" x=f(LEFT) y=f(H - 4.0)>{first}</text>
            <text class="chart-label" x=f(W) y=f(H - 4.0) text-anchor="end">{last}</text>
        </svg>
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
