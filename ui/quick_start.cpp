#include "quick_start.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace qn::ui {
namespace {

constexpr auto kQuickStart = R"(
<h2>Quick start</h2>
<h3>First steps</h3>
<ol>
<li>Pick a <b>preset</b> at the top of the left panel (or <i>Your model</i>: a
<code>torch.jit.save</code> file). The panel says the exact size once compressed before
anything runs.</li>
<li>Choose a <b>quantizer</b> (int8, int4, PQ, iPQ) and a <b>noise</b> mode: none, STE
(quantization-aware training) or Quant-Noise with its rate <i>p</i>.</li>
<li>Press <b>Run</b> (Ctrl+R) for one run, or <b>Sweep...</b> (Ctrl+Shift+R) to vary noise,
<i>p</i>, block sizes and seeds around it. Runs queue in the store and train one at a time.</li>
<li>Watch the <b>Live</b> view; read the result on <b>Pareto</b>; select runs (Ctrl-click in the
table or on the Pareto plot) and open <b>Compare</b> for their differences.</li>
<li>Export a done run's compressed model from <b>File &gt; Selected runs</b> (or the runs'
right-click menu): the <code>.qnz</code> file's bytes are the size the plots show.</li>
</ol>
<h3>The views</h3>
<ul>
<li><b>Live</b>: loss and metric of the running and selected runs.</li>
<li><b>Pareto</b>: metric against size; the front is the best metric for each size.</li>
<li><b>Compare</b>: the selected runs' curves, iPQ stages and a table of differences
against a baseline run (copy it, or export it as CSV or LaTeX).</li>
<li><b>Parallel coordinates</b>, <b>Importance</b>, <b>Response</b>: how the config's
settings relate to the metric across a sweep.</li>
<li><b>Sensitivity</b>: each layer's loss when it alone is quantized; the left panel's
<i>Propose</i> picks a storage per layer for a target size from it.</li>
</ul>
<h3>The paper in five lines</h3>
<p>Fan, Stock et al. (2020), <i>Training with Quantization Noise for Extreme Model
Compression</i>. Quantization-aware training quantizes every weight at every step and
passes gradients straight through (STE), which biases them. Quant-Noise quantizes only a
random share <i>p</i> of the weights (blocks of them for PQ) at each step; the rest see
exact gradients. Models trained so lose far less when they are then quantized, most of all
under extreme compression (int4, iterative product quantization: iPQ).</p>
<h3>Keyboard</h3>
<table cellpadding="2">
<tr><td>Ctrl+R</td><td>Run the config</td></tr>
<tr><td>Ctrl+Shift+R</td><td>Sweep...</td></tr>
<tr><td>Ctrl+.</td><td>Cancel the selected runs</td></tr>
<tr><td>Ctrl+1 ... Ctrl+7</td><td>Live, Pareto, Compare, Parallel, Importance, Sensitivity, Response</td></tr>
<tr><td>Ctrl+O / Ctrl+N</td><td>Open a store / a new store</td></tr>
<tr><td>Ctrl+Shift+P</td><td>Export the plot shown</td></tr>
<tr><td>Ctrl+Z / Ctrl+Shift+Z</td><td>Undo / redo an edit of the config</td></tr>
<tr><td>F1</td><td>This quick start</td></tr>
</table>
)";

}  // namespace

void show_quick_start(QWidget* parent) {
  QDialog dialog(parent);
  dialog.setWindowTitle("QNStudio quick start");
  auto* text = new QTextBrowser;
  text->setHtml(kQuickStart);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(text);
  layout->addWidget(buttons);
  dialog.resize(640, 640);
  dialog.exec();
}

}  // namespace qn::ui
