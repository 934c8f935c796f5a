//! One-line explanations of the Stat fields and znode kinds, shown as tooltips in the
//! inspector. Field names stay ZooKeeper's own (`StatPrinter`); the explanations follow
//! the ZooKeeper Programmer's Guide, "ZooKeeper Stat Structure" (3.8).

use zkafka_engine::i18n::Lang;

/// What a Stat field means, in `lang`.
pub fn stat_help(lang: Lang, field: &str) -> &'static str {
    match (lang, field) {
        (Lang::En, "cZxid") => "the zxid of the change that created this znode",
        (Lang::En, "ctime") => "when it was created (the leader's clock at the create)",
        (Lang::En, "mZxid") => "the zxid of the change that last modified its data",
        (Lang::En, "mtime") => "when its data was last modified",
        (Lang::En, "pZxid") => "the zxid of the change that last created or deleted a child",
        (Lang::En, "cversion") => "how many times its children changed (creates and deletes)",
        (Lang::En, "dataVersion") => {
            "how many times its data changed: set -v and delete -v compare it"
        }
        (Lang::En, "aclVersion") => "how many times its ACL changed",
        (Lang::En, "ephemeralOwner") => "the session that owns it if ephemeral, 0 otherwise",
        (Lang::En, "dataLength") => "the length of its data, bytes",
        (Lang::En, "numChildren") => "how many children it has",
        (Lang::Zh, "cZxid") => "创建这个 znode 的那次变更的 zxid",
        (Lang::Zh, "ctime") => "创建时间（执行 create 时 Leader 的时钟）",
        (Lang::Zh, "mZxid") => "最后一次修改它的数据的那次变更的 zxid",
        (Lang::Zh, "mtime") => "数据最后一次修改的时间",
        (Lang::Zh, "pZxid") => "最后一次创建或删除子节点的那次变更的 zxid",
        (Lang::Zh, "cversion") => "子节点变化（创建和删除）的次数",
        (Lang::Zh, "dataVersion") => "数据修改的次数：set -v 和 delete -v 比较的就是它",
        (Lang::Zh, "aclVersion") => "ACL 修改的次数",
        (Lang::Zh, "ephemeralOwner") => "临时节点所属的会话 id；不是临时节点则为 0",
        (Lang::Zh, "dataLength") => "数据长度（字节）",
        (Lang::Zh, "numChildren") => "子节点个数",
        _ => "",
    }
}

/// The name of a znode kind (`persistent`, `ephemeral`, `container`, `ttl`) in `lang`.
pub fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match (lang, kind) {
        (Lang::En, "ephemeral") => "ephemeral",
        (Lang::En, "container") => "container",
        (Lang::En, "ttl") => "persistent with TTL",
        (Lang::En, _) => "persistent",
        (Lang::Zh, "ephemeral") => "临时节点",
        (Lang::Zh, "container") => "容器节点",
        (Lang::Zh, "ttl") => "带 TTL 的持久节点",
        (Lang::Zh, _) => "持久节点",
    }
}

/// The name of a watch kind (`data`, `child`, `persistent`, `recursive`) in `lang`.
pub fn watch_name(lang: Lang, kind: &str) -> &'static str {
    match (lang, kind) {
        (Lang::En, "data") => "data watch (exists / get -w)",
        (Lang::En, "child") => "child watch (ls -w)",
        (Lang::En, "persistent") => "persistent watch (addWatch)",
        (Lang::En, "recursive") => "persistent recursive watch (addWatch -m PERSISTENT_RECURSIVE)",
        (Lang::Zh, "data") => "数据监听（exists / get -w）",
        (Lang::Zh, "child") => "子节点监听（ls -w）",
        (Lang::Zh, "persistent") => "持久监听（addWatch）",
        (Lang::Zh, "recursive") => "持久递归监听（addWatch -m PERSISTENT_RECURSIVE）",
        (_, _) => "",
    }
}
