#pragma once

#include "core/config/yamlreader.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <list>
#include <optional>

namespace hil {

// A named list of steps with parameters (`blocks:`), defined once and used by `use:` steps; its nodes
// stay those of the file that defines it, so that errors inside it name that file.
struct BlockDef {
    QString name;
    YAML::Node steps;
    struct Param {
        QString name;
        std::optional<YAML::Node> defaultValue; // none: the use must give it
    };
    QList<Param> params;
    YamlReader::Context where; // the defining file, for errors inside the block
};

// The blocks a scenario can use: its own and those of the files it includes (`include:`, relative to the
// including file, recursively; a loop is an error naming the chain).
class BlockLibrary {
public:
    void readBlocks(YamlReader &r, const YAML::Node &blocks);
    void readIncludes(YamlReader &r, const YAML::Node &include, const QStringList &chain);
    const BlockDef *block(const QString &name) const;
    QStringList names() const { return m_blocks.keys(); }

private:
    void readInclude(YamlReader &r, const YAML::Node &item, const QStringList &chain);

    QMap<QString, BlockDef> m_blocks;
    std::list<YAML::Node> m_roots; // the included documents, alive as long as their blocks
};

} // namespace hil
