#include "loaderchecks.h"

#include "core/config/yamlreader.h"
#include "fuzzcheck.h"

#include <cstdio>

namespace hil::fuzz {

void checkErrors(const SourceErrors &errors, const QString &fileName, const QByteArray &text) {
    HIL_FUZZ_CHECK(!errors.isEmpty());
    const qsizetype lines = text.count('\n') + text.count('\r') + 1;
    for (const SourceError &e : errors) {
        HIL_FUZZ_CHECK(e.file == fileName);
        HIL_FUZZ_CHECK(e.line >= 1 && e.line <= lines + 1);
        HIL_FUZZ_CHECK(e.column >= 1);
        HIL_FUZZ_CHECK(!e.message.isEmpty());
        if (e.message.startsWith(YamlReader::kInternalErrorPrefix))
            std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        HIL_FUZZ_CHECK(!e.message.startsWith(YamlReader::kInternalErrorPrefix));
        HIL_FUZZ_CHECK(e.toString().startsWith(fileName + u':'));
    }
    HIL_FUZZ_CHECK(!formatErrors(errors).isEmpty());
}

} // namespace hil::fuzz
