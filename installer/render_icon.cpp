// render_icon SVG SIZE PNG: renders the application's scalable icon at SIZE x SIZE pixels.
// The build makes every PNG size of resources/icons from the one SVG with this, so the
// sizes cannot drift from the drawing.
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <iostream>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");  // runs in the build, which has no display
  QGuiApplication app(argc, argv);
  if (argc != 4) {
    std::cerr << "usage: render_icon SVG SIZE PNG\n";
    return 2;
  }
  QSvgRenderer renderer{QString::fromLocal8Bit(argv[1])};
  const int size = QString::fromLocal8Bit(argv[2]).toInt();
  if (!renderer.isValid() || size <= 0) {
    std::cerr << "render_icon: cannot read " << argv[1] << " or bad size " << argv[2] << "\n";
    return 2;
  }
  QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  renderer.render(&painter);
  painter.end();
  if (!image.save(QString::fromLocal8Bit(argv[3]))) {
    std::cerr << "render_icon: cannot write " << argv[3] << "\n";
    return 1;
  }
  return 0;
}
