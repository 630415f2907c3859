#pragma once

// QCustomPlot's header spells Qt's keywords (signals, foreach), which this project turns off
// (QT_NO_KEYWORDS) because they break LibTorch's headers: spell them out for it alone.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef signals
