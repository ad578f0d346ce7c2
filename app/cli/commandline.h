#pragma once

#include <QString>
#include <QStringList>
#include <optional>

class QCommandLineParser;

// Parses a subcommand's arguments (args[0] is "hil <command>"). Returns an exit code when the command
// should stop here: 0 after printing --help, 2 after a usage error (printed to stderr with the help).
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &args);

// The parser's help with the usage line naming the subcommand ("Usage: hil run [options] SCENARIO").
QString commandHelp(const QCommandLineParser &parser, const QString &command);
