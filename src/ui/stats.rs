//! The stream stats panel: viewers over time on every platform and in total, chat messages
//! a minute below, the timeline's markers (title and category changes, raids, start and
//! end) with their text on hover, a time range, a summary row per platform and in total,
//! and every past stream to open, compare by time since start, or export as CSV.
//!
//! It draws what the backend recorded (`AppState::stats`); series are cut down to about
//! two points a pixel before they are drawn (`stats::decimate`), so an eight-hour stream
//! costs what a short one does.

use super::PanelCx;
use super::widgets;
use crate::command::Command;
use crate::model::{PlatformId, StreamRecord, StreamSummary};
use crate::stats::{decimate, total_viewers};
use eframe::egui::{self, Color32, RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::OffsetDateTime;

/// How much of the stream the graph shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    Last15Min,
    LastHour,
    #[default]
    Whole,
}

impl Range {
    const ALL: [Range; 3] = [Range::Last15Min, Range::LastHour, Range::Whole];

    fn label(self) -> &'static str {
        match self {
            Range::Last15Min => "Last 15 min",
            Range::LastHour => "Last hour",
            Range::Whole => "Whole stream",
        }
    }

    fn minutes(self) -> Option<f64> {
        match self {
            Range::Last15Min => Some(15.0),
            Range::LastHour => Some(60.0),
            Range::Whole => None,
        }
    }
}

/// A platform's line colour: its brand colour.
fn colour(platform: PlatformId) -> Color32 {
    let (r, g, b) = platform.entry().description().brand_rgb;
    Color32::from_rgb(r, g, b)
}

/// Draws the panel.
pub fn show(ui: &mut Ui, cx: &mut PanelCx<'_>) {
    let Some(stats) = cx.state.stats.clone() else {
        ui.label(RichText::new("Reading the recorded streams…").weak());
        return;
    };
    if let Some(note) = &cx.state.stats_note {
        match note {
            Ok(text) => ui.label(RichText::new(text).small().weak()),
            Err(e) => ui.colored_label(widgets::ERROR, e),
        };
    }
    egui::ScrollArea::vertical()
        .id_salt("stats_scroll")
        .show(ui, |ui| {
            if stats.current.is_empty() {
                ui.label(
                    RichText::new("No stream recorded yet: the graph starts when you go live.")
                        .weak(),
                );
            } else {
                current(ui, cx, &stats.current);
            }
            ui.add_space(10.0);
            past(ui, cx, &stats.streams);
        });
}

/// The streams going on: range, summary and graphs.
fn current(ui: &mut Ui, cx: &mut PanelCx<'_>, records: &[StreamRecord]) {
    ui.horizontal(|ui| {
        for r in Range::ALL {
            if ui
                .selectable_label(cx.view.stats_range == r, r.label())
                .clicked()
            {
                cx.view.stats_range = r;
            }
        }
    });
    let Some(snapshot) = cx.state.stats.clone() else {
        return;
    };
    let width = ui.available_width().max(100.0) as usize;
    // Cut and summed once per snapshot, range, width and 10 s, not every frame.
    let key = CacheKey {
        snapshot: Arc::as_ptr(&snapshot) as usize,
        range: cx.view.stats_range,
        width,
        slot: cx.now.unix_timestamp() / 10,
    };
    if cx.local.stats_cache.as_ref().is_none_or(|c| c.key != key) {
        cx.local.stats_cache = prepare(records, cx.view.stats_range, width, cx.now)
            .map(|prepared| StatsCache { key, prepared });
    }
    let Some(cache) = &cx.local.stats_cache else {
        return;
    };
    let prepared = cache.prepared.clone();
    summary(ui, records, &prepared.total_figures, cx.now);
    let Prepared {
        lines,
        total,
        markers,
        ..
    } = &*prepared;
    let link = egui::Id::unique("stats_x");
    // The platforms' colours, here rather than in the plot's legend, which would list every
    // marker too (their text shows on hover instead).
    ui.horizontal_wrapped(|ui| {
        for (platform, _, _) in lines.iter() {
            ui.label(RichText::new(format!("— {platform}")).color(colour(*platform)));
        }
        if lines.len() > 1 {
            ui.label(RichText::new("— Total").color(Color32::from_gray(200)));
        }
        if !markers.is_empty() {
            ui.label(RichText::new("¦ marked moments").weak());
        }
    });
    let viewers_plot = Plot::new("stats_viewers")
        .height(220.0)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .include_y(0.0)
        .x_axis_formatter(|mark, range| axis_time(mark.value, range))
        .y_axis_label("viewers")
        .allow_scroll(false);
    let response = viewers_plot.show(ui, |plot| {
        for (platform, viewers, _) in lines.iter() {
            for part in segments(viewers) {
                plot.line(
                    Line::new(platform.to_string(), PlotPoints::new(part.to_vec()))
                        .color(colour(*platform)),
                );
            }
        }
        if lines.len() > 1 {
            for part in segments(total) {
                plot.line(
                    Line::new("Total", PlotPoints::new(part.to_vec()))
                        .color(Color32::from_gray(200))
                        .width(2.0),
                );
            }
        }
        for (x, text, platform) in markers.iter() {
            plot.vline(
                VLine::new(text.clone(), *x)
                    .color(colour(*platform).gamma_multiply(0.6))
                    .style(egui_plot::LineStyle::dashed_dense()),
            );
        }
    });
    response
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Viewers over time"));
    let graph_rect = response.response.rect;
    Plot::new("stats_chat")
        .height(110.0)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .include_y(0.0)
        .x_axis_formatter(|mark, range| axis_time(mark.value, range))
        .y_axis_label("chat / min")
        .allow_scroll(false)
        .show(ui, |plot| {
            for (platform, _, chat) in lines.iter() {
                for part in segments(chat) {
                    plot.line(
                        Line::new(format!("{platform} chat"), PlotPoints::new(part.to_vec()))
                            .color(colour(*platform)),
                    );
                }
            }
        })
        .response
        .widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, "Chat messages a minute")
        });
    save_png_button(ui, cx, graph_rect);
    if !markers.is_empty() {
        ui.label(
            RichText::new("Marked moments (dashed lines):")
                .small()
                .weak(),
        );
        for (x, text, _) in markers.iter().rev().take(6) {
            ui.label(RichText::new(format!("{}  {text}", clock(*x))).small());
        }
    }
}

/// A series in the runs where it was recorded: a gap of more than a few samples (the app was
/// closed, the stream was off) is not drawn across.
fn segments(points: &[[f64; 2]]) -> impl Iterator<Item = &[[f64; 2]]> {
    // Minutes; decimation may space points out, so a pixel's worth of gap is allowed too.
    let gap = 3.0 * crate::stats::SAMPLE_EVERY.as_secs_f64() / 60.0;
    let span = match (points.first(), points.last()) {
        (Some(a), Some(b)) => b[0] - a[0],
        _ => 0.0,
    };
    let gap = gap.max(span / 300.0);
    points.chunk_by(move |a, b| b[0] - a[0] <= gap)
}

/// An axis mark: `h:mm`, or `m:ss` when only a few minutes are in view.
fn axis_time(minutes: f64, range: &std::ops::RangeInclusive<f64>) -> String {
    if range.end() - range.start() >= 10.0 {
        return clock(minutes);
    }
    let secs = (minutes * 60.0).round() as i64;
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.abs();
    if secs >= 3600 {
        format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    } else {
        format!("{sign}{}:{:02}", secs / 60, secs % 60)
    }
}

/// A screenshot's cut of the graph, filled in by the screenshot's callback (after the
/// frame) and taken by the next frame, which hands it to the backend to save.
#[derive(Clone, Default)]
pub struct GraphShot(Arc<std::sync::Mutex<Option<Arc<egui::ColorImage>>>>);

/// "Save as PNG": a screenshot of the window, cut to the viewers graph.
fn save_png_button(ui: &mut Ui, cx: &mut PanelCx<'_>, graph: egui::Rect) {
    let taken = cx
        .local
        .graph_shot
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(image) = taken {
        cx.send(Command::SaveGraphPng { image });
    }
    if ui
        .small_button("Save graph as PNG…")
        .on_hover_text("The viewers graph as you see it")
        .clicked()
    {
        let slot = cx.local.graph_shot.clone();
        let ctx = ui.ctx().clone();
        let ppp = ctx.pixels_per_point();
        ctx.clone().request_screenshot(move |image| {
            let rect = graph.intersect(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(image.size[0] as f32, image.size[1] as f32) / ppp,
            ));
            let cut = Arc::new(image.region(&rect, Some(ppp)));
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(cut);
            ctx.request_repaint();
        });
    }
}

/// What identifies a prepared graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheKey {
    snapshot: usize,
    range: Range,
    width: usize,
    slot: i64,
}

/// The graph's series for one snapshot, range and width, kept between frames.
pub struct StatsCache {
    key: CacheKey,
    prepared: Arc<Prepared>,
}

/// One platform's series: its viewers and its chat a minute, as plot points.
type PlatformLines = (PlatformId, Vec<[f64; 2]>, Vec<[f64; 2]>);

/// Series ready to draw: x in minutes since the first platform went live.
pub struct Prepared {
    lines: Vec<PlatformLines>,
    total: Vec<[f64; 2]>,
    markers: Vec<(f64, String, PlatformId)>,
    /// The total's now, peak and average.
    total_figures: (Option<u64>, Option<u64>, Option<f64>),
}

fn prepare(
    records: &[StreamRecord],
    range: Range,
    width: usize,
    now: OffsetDateTime,
) -> Option<Arc<Prepared>> {
    let start = records.iter().map(|r| r.summary.started_at).min()?;
    let minutes = |t: OffsetDateTime| (t - start).as_seconds_f64() / 60.0;
    let from = range.minutes().map(|m| minutes(now) - m);
    let keep = |x: f64| from.is_none_or(|f| x >= f);
    let per_minute = 60.0 / crate::stats::SAMPLE_EVERY.as_secs_f64();
    let lines = records
        .iter()
        .map(|r| {
            let viewers: Vec<[f64; 2]> = r
                .samples
                .iter()
                .filter_map(|s| Some([minutes(s.at), s.viewers? as f64]))
                .filter(|p| keep(p[0]))
                .collect();
            let chat: Vec<[f64; 2]> = r
                .samples
                .iter()
                .map(|s| [minutes(s.at), f64::from(s.messages) * per_minute])
                .filter(|p| keep(p[0]))
                .collect();
            (
                r.summary.platform,
                decimate(&viewers, width),
                decimate(&chat, width),
            )
        })
        .collect();
    let all: Vec<_> = records
        .iter()
        .flat_map(|r| r.samples.iter().cloned())
        .collect();
    let summed = total_viewers(&all);
    let peak = summed.iter().map(|(_, v)| *v).max();
    let average = (!summed.is_empty())
        .then(|| summed.iter().map(|(_, v)| *v as f64).sum::<f64>() / summed.len() as f64);
    let total_figures = (summed.last().map(|(_, v)| *v), peak, average);
    let total: Vec<[f64; 2]> = summed
        .into_iter()
        .map(|(at, v)| [minutes(at), v as f64])
        .filter(|p| keep(p[0]))
        .collect();
    let markers = records
        .iter()
        .flat_map(|r| {
            r.markers.iter().map(|m| {
                (
                    minutes(m.at),
                    format!("{}: {}", m.platform, m.text),
                    m.platform,
                )
            })
        })
        .filter(|(x, _, _)| keep(*x))
        .collect();
    Some(Arc::new(Prepared {
        lines,
        total: decimate(&total, width),
        markers,
        total_figures,
    }))
}

/// Minutes since the start as `h:mm`.
fn clock(minutes: f64) -> String {
    let m = minutes.round() as i64;
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// A row per platform and the total: viewers now, peak, average, followers gained, messages.
fn summary(
    ui: &mut Ui,
    records: &[StreamRecord],
    (total_now, peak, average): &(Option<u64>, Option<u64>, Option<f64>),
    now: OffsetDateTime,
) {
    egui::Grid::new("stats_summary")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            for h in [
                "",
                "now",
                "peak",
                "average",
                "followers",
                "messages",
                "length",
            ] {
                ui.label(RichText::new(h).small().weak());
            }
            ui.end_row();
            for r in records {
                let s = &r.summary;
                let latest = r.samples.last().and_then(|x| x.viewers);
                ui.label(RichText::new(s.platform.to_string()).color(colour(s.platform)));
                ui.label(n(latest));
                ui.label(n(s.peak_viewers));
                ui.label(s.average_viewers.map_or("-".into(), |a| format!("{a:.0}")));
                ui.label(format!("+{}", s.followers_gained.unwrap_or(0)));
                ui.label(s.messages.to_string());
                let end = s.ended_at.unwrap_or(now);
                let mut length = widgets::duration_words(s.started_at, end);
                if s.ended_at.is_some() {
                    length.push_str(" (ended)");
                }
                ui.label(length);
                ui.end_row();
            }
            if records.len() > 1 {
                ui.label(RichText::new("Total").strong());
                ui.label(n(*total_now));
                ui.label(n(*peak));
                ui.label(average.map_or("-".into(), |a| format!("{a:.0}")));
                let gained: u64 = records
                    .iter()
                    .filter_map(|r| r.summary.followers_gained)
                    .sum();
                ui.label(format!("+{gained}"));
                let messages: u64 = records.iter().map(|r| r.summary.messages).sum();
                ui.label(messages.to_string());
                ui.label("");
                ui.end_row();
            }
        });
}

fn n(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_owned(), widgets::count)
}

/// Every recorded stream: open one (or two, to compare by time since start), export one.
fn past(ui: &mut Ui, cx: &mut PanelCx<'_>, streams: &[StreamSummary]) {
    ui.label(RichText::new(format!("Past streams ({})", streams.len())).strong());
    let opened: Vec<Arc<StreamRecord>> = cx
        .view
        .stats_open
        .iter()
        .filter_map(|id| cx.state.opened_streams.get(id).cloned())
        .collect();
    if !opened.is_empty() {
        compare(ui, &opened);
    }
    egui::Grid::new("past_streams")
        .striped(true)
        .num_columns(8)
        .show(ui, |ui| {
            // The title last: on a narrow panel it is what gets cut, not the buttons.
            for h in ["date", "", "length", "peak", "avg", "+foll.", "", "title"] {
                ui.label(RichText::new(h).small().weak());
            }
            ui.end_row();
            for s in streams.iter().take(100) {
                ui.label(widgets::date(s.started_at));
                ui.label(RichText::new(s.platform.to_string()).color(colour(s.platform)));
                let end = s.ended_at.unwrap_or(cx.now);
                ui.label(widgets::duration_words(s.started_at, end));
                ui.label(n(s.peak_viewers));
                ui.label(s.average_viewers.map_or("-".into(), |a| format!("{a:.0}")));
                ui.label(format!("+{}", s.followers_gained.unwrap_or(0)));
                ui.horizontal(|ui| {
                    let open = cx.view.stats_open.contains(&s.id);
                    let toggle = ui.selectable_label(open, if open { "Shown" } else { "Show" });
                    toggle.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Button,
                            true,
                            open,
                            format!("Show stream {} on the graph", s.id),
                        )
                    });
                    if toggle.clicked() {
                        if open {
                            cx.view.stats_open.retain(|id| *id != s.id);
                        } else {
                            // Two at most: the oldest choice gives way.
                            if cx.view.stats_open.len() >= 2 {
                                cx.view.stats_open.remove(0);
                            }
                            cx.view.stats_open.push(s.id);
                            cx.send(Command::LoadStream { id: s.id });
                        }
                    }
                    let csv = ui.small_button("CSV").on_hover_text("Export as CSV");
                    csv.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Button,
                            true,
                            format!("Export stream {} as CSV", s.id),
                        )
                    });
                    if csv.clicked() {
                        cx.send(Command::ExportStream { id: s.id });
                    }
                });
                let title: String = s.title.chars().take(40).collect();
                ui.label(title).on_hover_text(format!(
                    "{}\n{}",
                    s.title,
                    s.category.as_deref().unwrap_or("")
                ));
                ui.end_row();
            }
        });
}

/// The opened past streams on one graph, by time since each one's start.
fn compare(ui: &mut Ui, opened: &[Arc<StreamRecord>]) {
    let width = ui.available_width().max(100.0) as usize;
    Plot::new("stats_compare")
        .height(180.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .include_y(0.0)
        .x_axis_formatter(|mark, _| clock(mark.value))
        .y_axis_label("viewers")
        .allow_scroll(false)
        .show(ui, |plot| {
            for r in opened {
                let start = r.summary.started_at;
                let points: Vec<[f64; 2]> = r
                    .samples
                    .iter()
                    .filter_map(|s| {
                        Some([(s.at - start).as_seconds_f64() / 60.0, s.viewers? as f64])
                    })
                    .collect();
                let name = format!(
                    "#{} {} {}",
                    r.summary.id,
                    r.summary.platform,
                    widgets::date(start)
                );
                plot.line(
                    Line::new(name, PlotPoints::new(decimate(&points, width)))
                        .color(colour(r.summary.platform)),
                );
            }
        })
        .response
        .widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, "Past streams compared")
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_in_the_recording_is_not_drawn_across() {
        // Every 10 s for two minutes, then nothing for twenty, then again.
        let mut points: Vec<[f64; 2]> = (0..12).map(|i| [f64::from(i) / 6.0, 1.0]).collect();
        points.extend((0..12).map(|i| [22.0 + f64::from(i) / 6.0, 2.0]));
        let parts: Vec<_> = segments(&points).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 12);
        assert!(segments(&[]).next().is_none());
        assert_eq!(axis_time(61.5, &(60.0..=65.0)), "1:01:30");
        assert_eq!(axis_time(75.0, &(0.0..=120.0)), "1:15");
    }
}
