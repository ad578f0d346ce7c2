#include "core/config/blocklibrary.h"

#include "core/expr/expression.h"

#include <QDir>
#include <QFileInfo>

namespace hil {

void BlockLibrary::readBlocks(YamlReader &r, const YAML::Node &blocks) {
    if (blocks.IsNull())
        return;
    if (!r.requireMap(blocks, QStringLiteral("blocks")))
        return;
    r.checkDuplicateKeys(blocks);
    for (auto it = blocks.begin(); it != blocks.end(); ++it) {
        BlockDef def;
        def.name = toQString(it->first.Scalar());
        def.where = r.context();
        QString why;
        if (!isVariableName(def.name, &why)) {
            r.error(it->first, why.replace(QStringLiteral("variable"), QStringLiteral("block")));
            continue;
        }
        if (const BlockDef *known = block(def.name)) {
            r.error(it->first, QStringLiteral("block '%1' is already defined in %2")
                                   .arg(def.name, QFileInfo(known->where.file).fileName()));
            continue;
        }
        const YAML::Node body = it->second;
        if (body.IsSequence()) {
            def.steps.reset(body);
        } else if (body.IsMap()) {
            r.checkKeys(body, {"params", "steps", "description"});
            if (!body["steps"]) {
                r.error(body, QStringLiteral("block '%1' needs steps").arg(def.name));
                continue;
            }
            def.steps.reset(body["steps"]);
            if (const YAML::Node params = body["params"]; params && !params.IsNull()) {
                if (params.IsSequence()) {
                    for (const YAML::Node &p : params) {
                        if (const auto name = r.string(p, QStringLiteral("a parameter name")))
                            def.params.append({*name, std::nullopt});
                    }
                } else if (r.requireMap(params, QStringLiteral("params"))) {
                    r.checkDuplicateKeys(params);
                    for (auto p = params.begin(); p != params.end(); ++p) {
                        const QString name = toQString(p->first.Scalar());
                        const YAML::Node value = p->second;
                        def.params.append(
                            {name, value.IsNull() ? std::nullopt : std::optional<YAML::Node>(value)});
                    }
                }
                for (const BlockDef::Param &p : std::as_const(def.params)) {
                    if (!isVariableName(p.name, &why))
                        r.error(params, why);
                }
            }
        } else {
            r.error(body,
                    QStringLiteral("block '%1' must be a list of steps or {params, steps}").arg(def.name));
            continue;
        }
        if (!def.steps.IsSequence()) {
            r.error(def.steps, QStringLiteral("the steps of block '%1' must be a list").arg(def.name));
            continue;
        }
        m_blocks.insert(def.name, def);
    }
}

void BlockLibrary::readIncludes(YamlReader &r, const YAML::Node &include, const QStringList &chain) {
    if (include.IsScalar()) {
        readInclude(r, include, chain);
        return;
    }
    if (!r.requireSequence(include, QStringLiteral("include (a file or a list of files)")))
        return;
    for (const YAML::Node &item : include)
        readInclude(r, item, chain);
}

void BlockLibrary::readInclude(YamlReader &r, const YAML::Node &item, const QStringList &chain) {
    const auto name = r.string(item, QStringLiteral("an included file"));
    if (!name)
        return;
    const QString path = QDir::cleanPath(QFileInfo(chain.last()).dir().filePath(*name));
    QStringList shortChain;
    for (const QString &f : chain)
        shortChain.append(QFileInfo(f).fileName());
    if (chain.contains(path)) {
        r.error(item, QStringLiteral("include loop: %1 -> %2")
                          .arg(shortChain.join(QStringLiteral(" -> ")), QFileInfo(path).fileName()));
        return;
    }
    const QString suffix = QStringLiteral(" (included from %1:%2:%3)")
                               .arg(r.context().file)
                               .arg(YamlReader::line(item))
                               .arg(YamlReader::column(item));
    YamlReader inner(path);
    const YAML::Node root = inner.load();
    for (const SourceError &e : inner.errors()) {
        const YamlReader::Context outer = r.context();
        r.setContext({e.file, suffix});
        r.errorAt(e.line, e.column, e.message);
        r.setContext(outer);
    }
    if (!inner.ok())
        return;
    m_roots.push_back(root);
    const YamlReader::Context outer = r.context();
    r.setContext({path, suffix});
    if (r.requireMap(root, QStringLiteral("an included file"))) {
        r.checkKeys(root, {"description", "blocks", "include"});
        if (const YAML::Node nested = root["include"])
            readIncludes(r, nested, chain + QStringList{path});
        if (const YAML::Node blocks = root["blocks"])
            readBlocks(r, blocks);
        else
            r.error(root, QStringLiteral("an included file holds blocks: (named step lists)"));
    }
    r.setContext(outer);
}

const BlockDef *BlockLibrary::block(const QString &name) const {
    const auto it = m_blocks.constFind(name);
    return it == m_blocks.cend() ? nullptr : &*it;
}

} // namespace hil
