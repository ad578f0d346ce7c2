#include "core/link/link.h"

#include "core/base/seedmix.h"

namespace hil {

namespace {

// Two well-spread seeds from the link's one, so the directions draw independently.
quint64 directionSeed(quint64 seed, quint64 direction) {
    return deriveSeed(seed, direction + 1);
}

bool actsOn(LinkFaultSpec::Direction d, Link::Direction which) {
    if (d == LinkFaultSpec::Direction::Both)
        return true;
    return (d == LinkFaultSpec::Direction::ToDevice) == (which == Link::Direction::ToDevice);
}

} // namespace

Link::Link(std::unique_ptr<Transport> inner, quint64 seed, LinkMode mode, QObject *parent)
    : Transport(parent)
    , m_inner(std::move(inner))
    , m_seed(seed)
    , m_toDevice(directionSeed(seed, 0), mode, this)
    , m_fromDevice(directionSeed(seed, 1), mode, this) {
    connect(m_inner.get(), &Transport::opened, this, [this] {
        m_state = State::Open;
        m_toDevice.connectionStarted();
        m_fromDevice.connectionStarted();
        emit opened();
    });
    connect(m_inner.get(), &Transport::failed, this, [this](const QString &reason) {
        m_state = State::Closed;
        emit failed(reason);
    });
    connect(m_inner.get(), &Transport::closed, this, &Link::onInnerClosed);
    connect(m_inner.get(), &Transport::bytesReceived, &m_fromDevice, &FaultPipeline::push);
    connect(&m_fromDevice, &FaultPipeline::output, this, &Transport::bytesReceived);
    connect(&m_fromDevice, &FaultPipeline::drained, this, [this] {
        if (m_closePending)
            finishClose();
    });
    connect(&m_toDevice, &FaultPipeline::output, this,
            [this](const QByteArray &bytes) { m_inner->write(bytes); });
    connect(&m_toDevice, &FaultPipeline::closeRequested, this, &Link::onCloseRequested);
    connect(&m_fromDevice, &FaultPipeline::closeRequested, this, &Link::onCloseRequested);
}

Link::~Link() {
    // The inner transport may signal while it goes (a socket aborting); nothing of this half-destroyed
    // link may hear it.
    m_inner->disconnect();
    m_inner->close();
    m_inner.reset();
}

void Link::open() {
    ++m_attempt;
    if (m_closePending) {
        // The owner reconnects before it heard of the loss: the old connection's tail is of no use.
        m_closePending = false;
        m_fromDevice.discard();
        m_state = State::Closed;
    }
    if (m_state != State::Closed)
        return;
    m_state = State::Opening;
    if (refusesConnections()) {
        const quint64 attempt = m_attempt;
        QMetaObject::invokeMethod(
            this,
            [this, attempt] {
                if (attempt != m_attempt || m_state != State::Opening)
                    return;
                m_state = State::Closed;
                emit failed(QStringLiteral("refused: disconnect fault active"));
            },
            Qt::QueuedConnection);
        return;
    }
    m_inner->open();
}

void Link::close() {
    ++m_attempt;
    m_closePending = false;
    m_state = State::Closed;
    m_inner->close();
    m_toDevice.discard();
    m_fromDevice.discard();
}

void Link::write(const QByteArray &bytes) {
    // Like the transports: nobody to send to while closed, and a reconnect must not replay stale bytes.
    if (m_state == State::Closed)
        return;
    m_toDevice.push(bytes);
}

bool Link::isOpen() const {
    return m_state == State::Open;
}

QString Link::describe() const {
    return m_inner->describe();
}

void Link::inject(int id, const LinkFaultSpec &spec) {
    clear(id);
    if (actsOn(spec.direction, Direction::ToDevice))
        m_toDevice.activate(id, spec);
    if (actsOn(spec.direction, Direction::FromDevice))
        m_fromDevice.activate(id, spec);
}

Link::WindowCounters Link::clear(int id) {
    WindowCounters w;
    w.toDevice = m_toDevice.deactivate(id);
    w.fromDevice = m_fromDevice.deactivate(id);
    return w;
}

void Link::clearAll() {
    m_toDevice.clear();
    m_fromDevice.clear();
}

bool Link::isActive(int id) const {
    return m_toDevice.isActive(id) || m_fromDevice.isActive(id);
}

bool Link::refusesConnections() const {
    return m_toDevice.refusesConnections() || m_fromDevice.refusesConnections();
}

void Link::setTerminator(const QByteArray &terminator) {
    m_toDevice.setTerminator(terminator);
    m_fromDevice.setTerminator(terminator);
}

LinkCounters Link::counters(Direction direction) const {
    return direction == Direction::ToDevice ? m_toDevice.counters() : m_fromDevice.counters();
}

Link::WindowCounters Link::windowCounters(int id) const {
    WindowCounters w;
    w.toDevice = m_toDevice.windowCounters(id);
    w.fromDevice = m_fromDevice.windowCounters(id);
    return w;
}

FaultPipeline &Link::pipeline(Direction direction) {
    return direction == Direction::ToDevice ? m_toDevice : m_fromDevice;
}

void Link::onCloseRequested(const QString &reason) {
    if (m_state == State::Closed)
        return;
    const bool wasOpening = m_state == State::Opening && !m_closePending;
    ++m_attempt;
    m_closePending = false;
    m_state = State::Closed;
    m_inner->close();
    m_toDevice.discard();
    m_fromDevice.discard();
    if (wasOpening)
        emit failed(reason);
    else
        emit closed(reason);
}

void Link::onInnerClosed(const QString &reason) {
    m_toDevice.discard();
    if (m_fromDevice.queuedBytes() > 0) {
        m_closePending = true;
        m_pendingClose = reason;
        return;
    }
    m_state = State::Closed;
    emit closed(reason);
}

void Link::finishClose() {
    m_closePending = false;
    m_state = State::Closed;
    emit closed(m_pendingClose);
}

} // namespace hil
