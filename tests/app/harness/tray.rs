//! The app's tray menu, reached as a desktop panel reaches it: WebDriver cannot see the tray,
//! but on Linux tray-icon shows it through libayatana-appindicator, which exports the menu
//! with libdbusmenu on the app's session bus (`com.canonical.dbusmenu`), at the path the
//! `Menu` property of its `org.kde.StatusNotifierItem` names. No StatusNotifierWatcher is
//! needed: libayatana exports the item and its menu with or without one, and the test's bus
//! has none.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, bail};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

use super::wait_for;

/// libayatana-appindicator's item of tray-icon's indicator `tray-icon tray app trubka` (the id
/// `tray.rs` gives `TrayIconBuilder::with_id`), every character outside `[A-Za-z0-9_]` as `_`.
const ITEM: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_trubka";
const DBUSMENU: &str = "com.canonical.dbusmenu";
/// How long one method call may take.
const CALL_LIMIT: Duration = Duration::from_secs(3);

/// One item of the menu as the last `GetLayout` gave it.
#[derive(Debug, Clone)]
pub(crate) struct TrayItem {
    /// The dbusmenu id `Event` takes.
    pub(crate) id: i32,
    /// Its label and those of the submenus it is in, outermost first, without mnemonics.
    pub(crate) path: Vec<String>,
    /// A check item's mark; `None` for other items.
    pub(crate) checked: Option<bool>,
    pub(crate) enabled: bool,
}

impl TrayItem {
    /// Whether this is the item at `path` (labels outermost first).
    pub(crate) fn is(&self, path: &[&str]) -> bool {
        self.path
            .iter()
            .map(String::as_str)
            .eq(path.iter().copied())
    }
}

/// The tray menu of the one app on a bus.
pub(crate) struct TrayMenu {
    connection: zbus::Connection,
    owner: String,
    path: OwnedObjectPath,
}

impl TrayMenu {
    /// Finds the peer on the bus at `address` (the session bus when `None`) that exports the
    /// app's tray item, waiting up to `limit` for it. More than one is an error: the test
    /// would not know which app it clicks.
    pub(crate) async fn find(address: Option<&str>, limit: Duration) -> anyhow::Result<TrayMenu> {
        let builder = match address {
            Some(address) => zbus::connection::Builder::address(address)?,
            None => zbus::connection::Builder::session()?,
        };
        // A peer on the bus that never answers must not hang the test.
        let connection = builder.method_timeout(CALL_LIMIT).build().await?;
        let (owner, path) = wait_for("the app's tray menu on D-Bus", limit, || async {
            let mut found = exporters(&connection).await?;
            anyhow::ensure!(found.len() < 2, "more than one tray item: {found:?}");
            Ok(found.pop())
        })
        .await?;
        Ok(TrayMenu {
            connection,
            owner,
            path,
        })
    }

    /// Every item of the menu, submenus included, read now (`GetLayout` of the whole tree).
    pub(crate) async fn items(&self) -> anyhow::Result<Vec<TrayItem>> {
        let body = (0i32, -1i32, Vec::<String>::new());
        let reply = self.dbusmenu("GetLayout", &body).await?;
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_revision, (_, _, children)): (u32, Node) = reply.body().deserialize()?;
        let mut items = Vec::new();
        flatten(children.iter().map(|c| &**c), &[], &mut items)?;
        Ok(items)
    }

    /// Clicks the item at `path` (labels outermost first, e.g. `["Перерыв", "Без причины"]`)
    /// as a panel does when the agent picks it: `Event(id, "clicked")`, which the app receives
    /// as that menu item's event.
    pub(crate) async fn click(&self, path: &[&str]) -> anyhow::Result<()> {
        let items = self.items().await?;
        let Some(item) = items.iter().find(|i| i.is(path)) else {
            let all: Vec<_> = items.iter().map(|i| i.path.join(" → ")).collect();
            bail!("no tray item {path:?}; the menu has {all:?}")
        };
        anyhow::ensure!(item.enabled, "the tray item {path:?} is disabled");
        let body = (item.id, "clicked", Value::from(0i32), 0u32);
        self.dbusmenu("Event", &body)
            .await
            .with_context(|| format!("clicking the tray item {path:?}"))?;
        Ok(())
    }

    async fn dbusmenu<B>(&self, method: &str, body: &B) -> zbus::Result<zbus::Message>
    where
        B: zbus::export::serde::Serialize + zbus::zvariant::DynamicType,
    {
        let (owner, path) = (Some(self.owner.as_str()), self.path.as_str());
        (self.connection)
            .call_method(owner, path, Some(DBUSMENU), method, body)
            .await
    }
}

/// The peers on the bus that export the tray item, with the path of its menu.
async fn exporters(
    connection: &zbus::Connection,
) -> anyhow::Result<Vec<(String, OwnedObjectPath)>> {
    let own = connection.unique_name().map(|n| n.as_str());
    let names = zbus::fdo::DBusProxy::new(connection)
        .await?
        .list_names()
        .await?;
    let mut found = Vec::new();
    for name in names.iter().map(|n| n.as_str()) {
        if !name.starts_with(':') || Some(name) == own {
            continue;
        }
        let menu = ("org.kde.StatusNotifierItem", "Menu");
        let properties = Some("org.freedesktop.DBus.Properties");
        let reply = connection.call_method(Some(name), ITEM, properties, "Get", &menu);
        // Most peers have no such object: their error only says "not this one".
        let Ok(reply) = reply.await else {
            continue;
        };
        let path = reply.body().deserialize::<OwnedValue>()?.try_into()?;
        found.push((name.to_owned(), path));
    }
    Ok(found)
}

/// Adds the layout nodes `children`, each `(ia{sv}av)` in a variant, below the labels `above`.
fn flatten<'a, 'v: 'a>(
    children: impl IntoIterator<Item = &'a Value<'v>>,
    above: &[String],
    items: &mut Vec<TrayItem>,
) -> anyhow::Result<()> {
    for child in children {
        let child = match child {
            Value::Value(inner) => inner.as_ref(),
            other => other,
        };
        let Value::Structure(s) = child else {
            bail!("a dbusmenu child is not a structure: {child:?}");
        };
        let [Value::I32(id), props, Value::Array(grandchildren)] = s.fields() else {
            bail!("a dbusmenu child is not (ia{{sv}}av): {child:?}");
        };
        let props: HashMap<String, OwnedValue> = props.try_clone()?.try_into()?;
        let prop = |key: &str| props.get(key).map(|v| &**v);
        if matches!(prop("type"), Some(Value::Str(t)) if t.as_str() == "separator") {
            continue;
        }
        let label = match prop("label") {
            Some(Value::Str(l)) => without_mnemonic(l.as_str()),
            _ => String::new(),
        };
        let mut path = above.to_vec();
        path.push(label);
        let checked = match (prop("toggle-type"), prop("toggle-state")) {
            (Some(Value::Str(_)), Some(Value::I32(state))) => Some(*state == 1),
            (Some(Value::Str(_)), _) => Some(false),
            _ => None,
        };
        // dbusmenu leaves out properties at their defaults: enabled is true unless said.
        let enabled = !matches!(prop("enabled"), Some(Value::Bool(false)));
        items.push(TrayItem {
            id: *id,
            path: path.clone(),
            checked,
            enabled,
        });
        flatten(grandchildren.iter(), &path, items)?;
    }
    Ok(())
}

/// A dbusmenu label as the agent reads it: `_` marks the next letter as the mnemonic, `__` is
/// an underscore.
fn without_mnemonic(label: &str) -> String {
    label
        .replace("__", "\0")
        .replace('_', "")
        .replace('\0', "_")
}
