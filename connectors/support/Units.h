#pragma once
// The one formatter for sizes and durations. Every panel and cachelensctl say "12.0 MiB" and "3 min 05 s" the same
// way: sizes in binary units (a KiB is 1,024 bytes, as Redis and the engine count memory), never a decimal MB beside
// a MiB. Numbers follow the locale given: the user's in the GUI, QLocale::c() in cachelensctl's line-oriented text.
// QtCore only.

#include <QLocale>
#include <QString>

namespace cachelens {

// "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB" … "8.0 EiB": `precision` decimals above bytes, a value that rounds up
// to 1,024 of a unit shown in the next. A negative size is unknown and reads "?".
QString formatBytes(qint64 bytes, int precision = 1, const QLocale& locale = QLocale());

// Elapsed time and time left, one style: "850 ms", "12.4 s", "3 min 05 s", "2 h 10 min", "2 d 04 h". A negative or
// not-a-number duration is unknown and reads "?".
QString formatDuration(double seconds, const QLocale& locale = QLocale());

} // namespace cachelens
