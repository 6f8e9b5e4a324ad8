//! What the headless commands print: one JSON document with `--json` (field names are the
//! model's, the same for every platform; a value the platform does not give is `null`), or
//! lines of text for a person.

use crate::model::{
    Account, Audience, CategoryPage, Channel, CommercialStarted, Editor, FollowerList,
    ModerationAction, ModerationOutcome, PlatformId, SubscriberList, Team, Video, ViewerList,
};
use crate::secret::Secret;
use serde::Serialize;
use std::fmt::Write as _;

/// What a command prints, both ways.
pub(super) struct Output {
    pub json: String,
    pub text: String,
}

pub(super) fn output<T: Serialize + ?Sized>(value: &T, text: String) -> Result<Output, String> {
    let json = serde_json::to_string(value).map_err(|e| format!("could not print JSON: {e}"))?;
    Ok(Output { json, text })
}

/// A sentence forced onto one line, since scripts read stderr line by line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn rfc3339(t: Option<time::OffsetDateTime>) -> String {
    t.map_or_else(|| "-".into(), crate::model::utc_rfc3339)
}

/// `channel` and `set` print exactly these fields (`all channel` adds the platform).
#[derive(Serialize)]
pub(super) struct ChannelView<'a> {
    id: &'a str,
    name: &'a str,
    display_name: Option<&'a str>,
    title: &'a str,
    category: Option<CategoryView<'a>>,
    language: Option<&'a str>,
    audience: Option<Audience>,
    /// `null` where the platform has no tags (Trovo); `[]` for a channel without any.
    tags: Option<&'a [String]>,
    /// The broadcast delay in seconds, `null` where the platform has none (Trovo).
    delay: Option<u32>,
    is_live: bool,
    viewers: Option<u64>,
    followers: Option<u64>,
    subscribers: Option<u64>,
}

#[derive(Serialize)]
struct CategoryView<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
}

/// The fields `channel --json` prints.
pub(super) fn channel_view(c: &Channel) -> ChannelView<'_> {
    ChannelView {
        id: &c.id,
        name: &c.name,
        display_name: c.display_name.as_deref(),
        title: &c.title,
        category: c.category.as_ref().map(|k| CategoryView {
            id: k.id.as_deref(),
            name: k.name.as_deref(),
        }),
        language: c.language.as_deref(),
        audience: c.audience,
        tags: c.tags.as_deref(),
        delay: c.delay,
        is_live: c.is_live,
        viewers: c.viewers,
        followers: c.followers,
        subscribers: c.subscribers,
    }
}

pub(super) fn channel(c: &Channel) -> Result<Output, String> {
    let view = channel_view(c);
    let count = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    let mut text = format!(
        "{} ({}), id {}\ntitle:       {}\ncategory:    {}\nlanguage:    {}\n",
        c.display_name.as_deref().unwrap_or(&c.name),
        c.name,
        c.id,
        c.title,
        c.category
            .as_ref()
            .and_then(|k| k.name.clone().or(k.id.clone()))
            .unwrap_or_else(|| "-".into()),
        c.language.as_deref().unwrap_or("-"),
    );
    // Lines for what the platform has only.
    if let Some(a) = c.audience {
        let _ = writeln!(text, "audience:    {}", a.label());
    }
    if let Some(tags) = &c.tags {
        let tags = if tags.is_empty() {
            "-".to_owned()
        } else {
            tags.join(", ")
        };
        let _ = writeln!(text, "tags:        {tags}");
    }
    if let Some(d) = c.delay {
        let _ = writeln!(text, "delay:       {d} s");
    }
    let _ = write!(
        text,
        "live:        {}\nviewers:     {}\nfollowers:   {}\nsubscribers: {}\n",
        if c.is_live { "yes" } else { "no" },
        count(c.viewers),
        count(c.followers),
        count(c.subscribers),
    );
    output(&view, text)
}

pub(super) fn categories(page: &CategoryPage) -> Result<Output, String> {
    let mut text = String::new();
    for c in &page.categories {
        let _ = writeln!(text, "{}\t{}", c.id, c.name);
    }
    if page.has_more {
        text.push_str("(more exist: raise --limit)\n");
    }
    output(page, text)
}

pub(super) fn viewers(list: &ViewerList) -> Result<Output, String> {
    let mut text = format!("{} viewers", list.total);
    if let Some(n) = list.anonymous {
        let _ = write!(text, " ({n} not signed in)");
    }
    text.push('\n');
    for v in &list.viewers {
        if v.roles.is_empty() {
            let _ = writeln!(text, "{}", v.name);
        } else {
            let _ = writeln!(text, "{}\t{}", v.name, v.roles.join(", "));
        }
    }
    output(list, text)
}

pub(super) fn followers(list: &FollowerList) -> Result<Output, String> {
    let mut text = format!("{} followers\n", list.total);
    for f in &list.followers {
        let _ = writeln!(text, "{}\t{}", f.name, rfc3339(f.followed_at));
    }
    output(list, text)
}

pub(super) fn subscribers(list: &SubscriberList) -> Result<Output, String> {
    let mut text = format!("{} subscribers\n", list.total);
    for s in &list.subscribers {
        let _ = writeln!(
            text,
            "{}\ttier {}\tsince {}",
            s.name,
            s.tier.as_deref().unwrap_or("?"),
            rfc3339(s.since)
        );
    }
    output(list, text)
}

/// `whoami` prints exactly these fields.
#[derive(Serialize)]
struct WhoamiView<'a> {
    id: &'a str,
    name: &'a str,
    display_name: &'a str,
}

pub(super) fn whoami(a: &Account) -> Result<Output, String> {
    let text = format!("{} ({}), id {}\n", a.display_name, a.name, a.id);
    output(
        &WhoamiView {
            id: &a.id,
            name: &a.name,
            display_name: &a.display_name,
        },
        text,
    )
}

pub(super) fn editors(list: &[Editor]) -> Result<Output, String> {
    let mut text = format!("{} editors\n", list.len());
    for e in list {
        let _ = writeln!(
            text,
            "{}\t{}\tsince {}",
            e.name,
            e.display_name.as_deref().unwrap_or("-"),
            rfc3339(e.since)
        );
    }
    output(&serde_json::json!({ "editors": list }), text)
}

pub(super) fn teams(list: &[Team]) -> Result<Output, String> {
    let mut text = format!("{} teams\n", list.len());
    for t in list {
        let _ = writeln!(
            text,
            "{}\t{}",
            t.name,
            t.display_name.as_deref().unwrap_or("-")
        );
    }
    output(&serde_json::json!({ "teams": list }), text)
}

/// A length in seconds as `h:mm:ss` (`m:ss` under an hour), `-` when unknown.
fn clock(secs: Option<u64>) -> String {
    match secs {
        Some(s) if s >= 3_600 => format!("{}:{:02}:{:02}", s / 3_600, s / 60 % 60, s % 60),
        Some(s) => format!("{}:{:02}", s / 60, s % 60),
        None => "-".into(),
    }
}

pub(super) fn videos(list: &[Video]) -> Result<Output, String> {
    let mut text = format!("{} videos\n", list.len());
    for v in list {
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}",
            v.id,
            v.kind.as_deref().unwrap_or("-"),
            clock(v.duration),
            rfc3339(v.created_at),
            v.title
        );
    }
    output(&serde_json::json!({ "videos": list }), text)
}

pub(super) fn commercial(c: &CommercialStarted) -> Result<Output, String> {
    let mut text = format!(
        "commercial of {} s started; the next may start in {} s\n",
        c.length, c.retry_after
    );
    if let Some(m) = &c.message {
        let _ = writeln!(text, "{m}");
    }
    output(c, text)
}

/// `stream-key show`: the key alone on its line (text), or `{"key"}`.
pub(super) fn stream_key(key: &Secret) -> Result<Output, String> {
    output(
        &serde_json::json!({ "key": key.expose() }),
        format!("{}\n", key.expose()),
    )
}

/// `stream-key regenerate`: nothing secret unless `show`; then the text is the new key
/// alone, for `KEY=$(stagehand velora stream-key regenerate --yes --show)`.
pub(super) fn regenerated_key(
    platform: PlatformId,
    key: &Secret,
    show: bool,
) -> Result<Output, String> {
    let (json_key, text) = if show {
        (Some(key.expose()), format!("{}\n", key.expose()))
    } else {
        (
            None,
            format!(
                "The {platform} stream key was regenerated: the old one no longer works. Give the encoder the new one (`stagehand {} stream-key show` prints it).\n",
                platform.to_string().to_lowercase()
            ),
        )
    };
    output(
        &serde_json::json!({ "regenerated": true, "key": json_key }),
        text,
    )
}

/// A moderation action carried out, with the platform's message when it gave one.
pub(super) fn moderated(
    action: &ModerationAction,
    user: &str,
    outcome: &ModerationOutcome,
) -> Result<Output, String> {
    let (name, mut text) = match action {
        ModerationAction::Timeout { secs, .. } => {
            ("timeout", format!("{user} timed out for {secs} s\n"))
        }
        ModerationAction::Ban { .. } => ("ban", format!("{user} banned\n")),
        ModerationAction::DeleteMessage { message_id, .. } => (
            "delete_message",
            format!("message {message_id} of {user} deleted\n"),
        ),
    };
    if let Some(m) = &outcome.message {
        let _ = writeln!(text, "{}", one_line(m));
    }
    output(
        &serde_json::json!({
            "done": true,
            "action": name,
            "user": user,
            "message": outcome.message,
        }),
        text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CategoryRef;
    use serde_json::Value;

    fn sample(tags: Option<Vec<String>>) -> Channel {
        Channel {
            id: "1".into(),
            name: "someone".into(),
            display_name: Some("SomeOne".into()),
            title: "t".into(),
            category: Some(CategoryRef {
                id: Some("9".into()),
                name: Some("Chess".into()),
            }),
            language: Some("en".into()),
            audience: None,
            is_live: false,
            viewers: None,
            followers: Some(3),
            subscribers: None,
            started_at: None,
            avatar_url: None,
            tags,
            delay: None,
        }
    }

    #[test]
    fn the_channel_carries_tags_null_where_the_platform_has_none() {
        let json = |c: &Channel| -> Value {
            serde_json::from_str(&channel(c).expect("prints").json).expect("json")
        };
        let none = json(&sample(None));
        assert!(none.get("tags").is_some_and(Value::is_null), "{none}");
        assert!(none["audience"].is_null() && none["delay"].is_null());
        let some = json(&sample(Some(vec!["English".into()])));
        assert_eq!(some["tags"], serde_json::json!(["English"]));
        let text = channel(&sample(Some(Vec::new()))).expect("prints").text;
        assert!(text.contains("tags:        -"), "{text}");
        assert!(!text.contains("audience"), "no line for what is absent");
    }

    #[test]
    fn video_lengths_read_as_a_clock() {
        assert_eq!(clock(Some(11_313)), "3:08:33");
        assert_eq!(clock(Some(725)), "12:05");
        assert_eq!(clock(Some(42)), "0:42");
        assert_eq!(clock(None), "-");
    }

    #[test]
    fn a_regenerated_key_is_printed_only_when_asked() {
        let key = Secret::new("live_sekrit_key");
        let quiet = regenerated_key(PlatformId::Velora, &key, false).expect("prints");
        assert!(!quiet.text.contains("sekrit") && !quiet.json.contains("sekrit"));
        assert!(
            quiet.text.contains("stagehand velora stream-key show"),
            "{}",
            quiet.text
        );
        let v: Value = serde_json::from_str(&quiet.json).expect("json");
        assert_eq!(v, serde_json::json!({ "regenerated": true, "key": null }));
        let shown = regenerated_key(PlatformId::Velora, &key, true).expect("prints");
        assert_eq!(shown.text, "live_sekrit_key\n");
        let v: Value = serde_json::from_str(&shown.json).expect("json");
        assert_eq!(v["key"], "live_sekrit_key");
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("a\n b\tc "), "a b c");
    }
}
