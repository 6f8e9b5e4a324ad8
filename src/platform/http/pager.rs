//! The pagers: every page of a list, de-duplicated, up to a limit, safe against a server
//! whose pages never end. Cursor lists (Helix, Velora) follow the cursor the platform hands
//! out; numbered lists (Trovo's offsets, Velora's page numbers) count their way through.

use super::call::Call;
use crate::error::PlatformError;
use std::collections::HashSet;
use std::future::Future;

/// One page of a cursor list, as the pager needs it.
pub(crate) struct CursorPage<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; `None` ends the list.
    pub next: Option<String>,
    /// The list's total, where the platform gives one.
    pub total: Option<u64>,
}

/// How a platform pages a cursor list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CursorList {
    /// The query parameter the next cursor goes back in (`after`, `cursor`).
    pub param: &'static str,
    /// Whether an empty page ends the list even with a cursor (Helix), or only a null
    /// cursor does (Velora).
    pub empty_page_ends: bool,
    /// A guard against a server whose cursor never ends a list.
    pub max_pages: usize,
}

/// Every page of `call`'s list: `fetch` sends one page's call and decodes it, `split` takes
/// its items, next cursor and total (and may count what it sees), `key` de-duplicates (an
/// entry without a key is kept). Stops at `limit` entries, at the end of the list, or at a
/// cursor handed out twice (which would page forever). Answers the entries and the last
/// total the platform gave.
pub(crate) async fn all_cursor_pages<P, T, Fut>(
    list: CursorList,
    call: Call,
    limit: Option<usize>,
    fetch: impl Fn(Call) -> Fut,
    mut split: impl FnMut(P) -> CursorPage<T>,
    key: impl Fn(&T) -> Option<String>,
) -> Result<(Vec<T>, Option<u64>), PlatformError>
where
    Fut: Future<Output = Result<P, PlatformError>>,
{
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    let mut total = None;
    let mut cursor: Option<String> = None;
    let mut cursors_seen = HashSet::new();
    for _ in 0..list.max_pages {
        let mut page_call = call.clone();
        if let Some(c) = &cursor {
            page_call = page_call.query(list.param, c);
        }
        let page = split(fetch(page_call).await?);
        total = page.total.or(total);
        if list.empty_page_ends && page.items.is_empty() {
            break;
        }
        keep_new(&mut all, &mut seen, page.items, &key);
        if limit.is_some_and(|l| all.len() >= l) {
            break;
        }
        match page.next {
            Some(c) if cursors_seen.insert(c.clone()) => cursor = Some(c),
            Some(_) => {
                tracing::warn!(path = %call.path, "a cursor was handed out twice; the list ends here");
                break;
            }
            None => break,
        }
    }
    if let Some(l) = limit {
        all.truncate(l);
    }
    Ok((all, total))
}

/// Appends the `items` not seen before (by `key`; an item without a key is always kept).
fn keep_new<T>(
    all: &mut Vec<T>,
    seen: &mut HashSet<String>,
    items: Vec<T>,
    key: &impl Fn(&T) -> Option<String>,
) {
    for item in items {
        if let Some(k) = key(&item)
            && !seen.insert(k)
        {
            continue;
        }
        all.push(item);
    }
}

/// One page of a numbered list, as the pager needs it.
pub(crate) struct NumberedPage<T> {
    pub items: Vec<T>,
    /// Entries the page held, usable or not: an offset advances by this.
    pub held: usize,
    /// The list's total, where the platform gives one.
    pub total: Option<u64>,
    /// The platform's own word on whether more pages follow (`hasMore`), where it gives one.
    pub more: Option<bool>,
}

/// How a numbered list counts its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Numbering {
    /// Page numbers from 1.
    Pages,
    /// Offsets from 0, advanced by what each page held.
    Offsets,
}

/// How a platform pages a numbered list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumberedList {
    pub numbering: Numbering,
    /// Entries asked for a page.
    pub page_size: usize,
    /// Whether a page shorter than asked ends the list (where the platform does not say).
    pub short_page_ends: bool,
    /// A guard against a server whose pages never end.
    pub max_pages: usize,
}

/// Every page of a numbered list: `fetch` asks for the page at a position (a page number or
/// an offset) and decodes it, `key` de-duplicates (an entry without a key is kept). Stops at
/// `limit` entries, where the platform says no more follow, or, where it does not say, at
/// an empty page, a page that brings nothing new (a server ignoring the position), the
/// total, or a short page where that ends the list. Answers the entries and the last total
/// the platform gave.
pub(crate) async fn all_numbered_pages<T, Fut>(
    list: NumberedList,
    limit: Option<usize>,
    fetch: impl Fn(u64) -> Fut,
    key: impl Fn(&T) -> Option<String>,
) -> Result<(Vec<T>, Option<u64>), PlatformError>
where
    Fut: Future<Output = Result<NumberedPage<T>, PlatformError>>,
{
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    let mut total = None;
    let mut position = match list.numbering {
        Numbering::Pages => 1,
        Numbering::Offsets => 0,
    };
    for _ in 0..list.max_pages {
        let page = fetch(position).await?;
        total = page.total.or(total);
        let before = all.len();
        keep_new(&mut all, &mut seen, page.items, &key);
        if limit.is_some_and(|l| all.len() >= l) {
            break;
        }
        let next = match list.numbering {
            Numbering::Pages => position + 1,
            Numbering::Offsets => position + page.held as u64,
        };
        let counted = match list.numbering {
            Numbering::Pages => all.len() as u64,
            Numbering::Offsets => next,
        };
        let go_on = match page.more {
            Some(more) => more,
            None => {
                page.held > 0
                    && all.len() > before
                    && total.is_none_or(|t| counted < t)
                    && !(list.short_page_ends && page.held < list.page_size)
            }
        };
        if !go_on {
            break;
        }
        position = next;
    }
    if let Some(l) = limit {
        all.truncate(l);
    }
    Ok((all, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A list served from memory: `pages[cursor]`, each with the next cursor.
    fn serve(
        pages: Vec<(Vec<u32>, Option<&'static str>)>,
    ) -> impl Fn(Call) -> std::future::Ready<Result<CursorPage<u32>, PlatformError>> {
        let asked = Mutex::new(Vec::new());
        move |call: Call| {
            let at = call
                .query
                .iter()
                .find(|(k, _)| *k == "after")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            asked.lock().unwrap_or_else(|e| e.into_inner()).push(at);
            let (items, next) = pages.get(at).cloned().unwrap_or_default();
            std::future::ready(Ok(CursorPage {
                items,
                next: next.map(str::to_owned),
                total: Some(99),
            }))
        }
    }

    const LIST: CursorList = CursorList {
        param: "after",
        empty_page_ends: true,
        max_pages: 10,
    };

    #[tokio::test]
    async fn follows_cursors_dedupes_and_stops_at_the_limit() {
        let pages = vec![
            (vec![1, 2], Some("1")),
            (vec![2, 3], Some("2")),
            (vec![4], None),
        ];
        let (all, total) = all_cursor_pages(
            LIST,
            Call::get("x"),
            None,
            serve(pages.clone()),
            |p| p,
            |n| Some(n.to_string()),
        )
        .await
        .expect("pages");
        assert_eq!(all, vec![1, 2, 3, 4]);
        assert_eq!(total, Some(99));
        let (all, _) = all_cursor_pages(
            LIST,
            Call::get("x"),
            Some(3),
            serve(pages),
            |p| p,
            |n| Some(n.to_string()),
        )
        .await
        .expect("pages");
        assert_eq!(all, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_repeated_cursor_or_an_empty_page_ends_the_list() {
        let looping = vec![(vec![1], Some("1")), (vec![2], Some("1"))];
        let (all, _) =
            all_cursor_pages(LIST, Call::get("x"), None, serve(looping), |p| p, |_| None)
                .await
                .expect("pages");
        assert_eq!(all, vec![1, 2], "the second hand-out of cursor 1 ends it");
        let empty = vec![(vec![1], Some("1")), (vec![], Some("2")), (vec![3], None)];
        let (all, _) = all_cursor_pages(
            LIST,
            Call::get("x"),
            None,
            serve(empty.clone()),
            |p| p,
            |_| None,
        )
        .await
        .expect("pages");
        assert_eq!(all, vec![1]);
        let only_null_ends = CursorList {
            empty_page_ends: false,
            ..LIST
        };
        let (all, _) = all_cursor_pages(
            only_null_ends,
            Call::get("x"),
            None,
            serve(empty),
            |p| p,
            |_| None,
        )
        .await
        .expect("pages");
        assert_eq!(all, vec![1, 3]);
    }

    /// A numbered list served from memory: the entries from the position on, `size` a page.
    fn numbered(
        entries: Vec<u32>,
        size: usize,
        numbering: Numbering,
        total: Option<u64>,
    ) -> impl Fn(u64) -> std::future::Ready<Result<NumberedPage<u32>, PlatformError>> {
        move |position: u64| {
            let start = match numbering {
                Numbering::Pages => (position as usize - 1) * size,
                Numbering::Offsets => position as usize,
            };
            let items: Vec<u32> = entries.iter().skip(start).take(size).copied().collect();
            std::future::ready(Ok(NumberedPage {
                held: items.len(),
                items,
                total,
                more: None,
            }))
        }
    }

    const OFFSETS: NumberedList = NumberedList {
        numbering: Numbering::Offsets,
        page_size: 2,
        short_page_ends: true,
        max_pages: 10,
    };

    #[tokio::test]
    async fn numbered_lists_count_through_by_offset_or_page_number() {
        let key = |n: &u32| Some(n.to_string());
        let entries: Vec<u32> = (1..=5).collect();
        let (all, total) = all_numbered_pages(
            OFFSETS,
            None,
            numbered(entries.clone(), 2, Numbering::Offsets, None),
            key,
        )
        .await
        .expect("pages");
        assert_eq!(all, entries, "a short last page ends it");
        assert_eq!(total, None);
        let pages = NumberedList {
            numbering: Numbering::Pages,
            short_page_ends: false,
            ..OFFSETS
        };
        let (all, _) = all_numbered_pages(
            pages,
            Some(3),
            numbered(entries.clone(), 2, Numbering::Pages, Some(5)),
            key,
        )
        .await
        .expect("pages");
        assert_eq!(all, vec![1, 2, 3], "the limit stops it");
    }

    #[tokio::test]
    async fn a_server_ignoring_the_position_or_saying_no_more_ends_the_list() {
        let key = |n: &u32| Some(n.to_string());
        let same_page = |_: u64| {
            std::future::ready(Ok(NumberedPage {
                items: vec![1, 2],
                held: 2,
                total: None,
                more: None,
            }))
        };
        let (all, _) = all_numbered_pages(OFFSETS, None, same_page, key)
            .await
            .expect("pages");
        assert_eq!(all, vec![1, 2], "the repeated page brings nothing new");
        let asked = std::sync::Mutex::new(0);
        let says_no_more = |_: u64| {
            *asked.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            std::future::ready(Ok(NumberedPage {
                items: vec![7],
                held: 1,
                total: Some(100),
                more: Some(false),
            }))
        };
        let (all, total) = all_numbered_pages(OFFSETS, None, says_no_more, key)
            .await
            .expect("pages");
        assert_eq!((all, total), (vec![7], Some(100)));
        assert_eq!(*asked.lock().unwrap_or_else(|e| e.into_inner()), 1);
    }
}
