#include "commandline.h"

#include "core/base/verdict.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

QString commandHelp(const QCommandLineParser &parser, const QString &command) {
    // helpText() names the program by its path; a subcommand's help names the subcommand instead.
    QString text = parser.helpText();
    const QString program = QCoreApplication::arguments().value(0);
    const qsizetype at = text.indexOf(program);
    if (at >= 0)
        text.replace(at, program.size(), command);
    return text;
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &args) {
    const QString command = args.value(0);
    if (!parser.parse(args)) {
        QTextStream(stderr) << command << ": " << parser.errorText() << "\n\n"
                            << commandHelp(parser, command);
        return hil::ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << commandHelp(parser, command);
        return hil::ExitPass;
    }
    return std::nullopt;
}
