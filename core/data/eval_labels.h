#pragma once

#include <map>
#include <string>
#include <vector>

namespace qn {

// The labels of a flat evaluation folder (ImageNet's val/ as it ships: 50,000 JPEGs in one
// folder), read from a file beside it. Formats, told apart by their content:
// - Kaggle's LOC_val_solution.csv: a header "ImageId,PredictionString", then rows
//   "ILSVRC2012_val_00000001,n01751748 x y x y ...": the first word is the class;
// - a CSV of file,label (a header row is skipped when its label is not a class): the file
//   with or without its extension, the label a class name or a 0-based class index;
// - a list of one class name a line, for the folder's images in file-name order (as
//   TensorFlow's imagenet_2012_validation_synset_labels.txt).
// The devkit's ILSVRC2012_validation_ground_truth.txt (numbers in the devkit's own class
// order, which only its meta.mat maps to folder names) is refused with that explanation.
// Every failure is an InputError naming the file and, where it has one, the line.

// Image file stem ("ILSVRC2012_val_00000001") -> class index, for the images `stems` (in
// file-name order) of the classes `classes` (sorted folder names). Every image must have a
// label; rows naming absent images are ignored (a labels file of the full set serves a
// subset).
std::map<std::string, int64_t> read_eval_labels(const std::string& path, const std::vector<std::string>& stems,
                                                const std::vector<std::string>& classes);

// The labels file beside `root` a flat val/ folder uses when the config names none: the
// first of LOC_val_solution.csv, val_labels.csv, val.csv, imagenet_2012_validation_synset_labels.txt,
// ILSVRC2012_validation_ground_truth.txt found in `root` (or in root/val/); "" if none.
std::string find_eval_labels(const std::string& root);

}  // namespace qn
