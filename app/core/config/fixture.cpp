#include "core/config/fixture.h"

namespace hil {

const DeviceConfig *Fixture::device(const QString &deviceName) const {
    for (const DeviceConfig &d : devices) {
        if (d.name == deviceName)
            return &d;
    }
    return nullptr;
}

const ProxyConfig *Fixture::proxy(const QString &proxyName) const {
    for (const ProxyConfig &p : proxies) {
        if (p.name == proxyName)
            return &p;
    }
    return nullptr;
}

const BrokerConfig *Fixture::broker(const QString &brokerName) const {
    for (const BrokerConfig &b : brokers) {
        if (b.name == brokerName)
            return &b;
    }
    return nullptr;
}

bool Fixture::carriesDatagrams(const QString &target) const {
    if (const DeviceConfig *d = device(target))
        return d->kind == DeviceConfig::Kind::Udp;
    if (const ProxyConfig *p = proxy(target))
        return p->udp;
    return false;
}

} // namespace hil
