//! The cursor pager: every page of a list, de-duplicated, up to a limit, safe against a
//! server whose cursor never ends.

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
        for item in page.items {
            if let Some(k) = key(&item)
                && !seen.insert(k)
            {
                continue;
            }
            all.push(item);
        }
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
}
