# Writes the man pages of qnstudio, qnoise and each qnoise subcommand (qnoise-train(1), as
# git does) from the programs' own --help with help2man, gzipped as Debian wants them. The
# subcommands and their one-line descriptions are read from `qnoise --help`, so a new
# subcommand gets its page and no page can drift from the help text.
#   cmake -DQNOISE=... -DQNSTUDIO=... -DHELP2MAN=... -DVERSION=... -DOUT=DIR -P man_pages.cmake
cmake_minimum_required(VERSION 3.22)

file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}/man1" "${OUT}/bin")

# help2man runs `PROGRAM --help`; a wrapper per page gives the program the name a user
# types (exec -a), so no build path ends up in a page.
function(write_page page name_line program)
  set(wrapper "${OUT}/bin/${page}")
  string(JOIN "' '" command ${ARGN})
  file(WRITE "${wrapper}" "#!/bin/bash\nexec -a ${program} '${command}' \"$@\"\n")
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  set(include_args)
  if(EXISTS "${OUT}/${page}.h2m")
    set(include_args "--include=${OUT}/${page}.h2m")
  endif()
  execute_process(
    COMMAND "${HELP2MAN}" --no-info --section=1
            "--version-string=${VERSION}" "--name=${name_line}" ${include_args}
            "--output=${OUT}/man1/${page}.1" "${wrapper}"
    RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "help2man could not write ${page}.1")
  endif()
  execute_process(COMMAND gzip -9nf "${OUT}/man1/${page}.1" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "gzip could not compress ${page}.1")
  endif()
endfunction()

execute_process(COMMAND "${QNOISE}" --help OUTPUT_VARIABLE help RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "${QNOISE} --help failed")
endif()
string(REGEX REPLACE ".*\nSubcommands:\n" "" subcommand_lines "${help}")
string(REPLACE ";" "," subcommand_lines "${subcommand_lines}")
string(REPLACE "\n" ";" subcommand_lines "${subcommand_lines}")
set(see_also "[SEE ALSO]\n.BR qnstudio (1)")
foreach(line IN LISTS subcommand_lines)
  if(line MATCHES "^  ([a-z-]+) +(.+)$")
    file(WRITE "${OUT}/qnoise-${CMAKE_MATCH_1}.h2m" "[SEE ALSO]\n.BR qnoise (1)\n")
    write_page("qnoise-${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}" qnoise "${QNOISE}" ${CMAKE_MATCH_1})
    string(APPEND see_also ",\n.BR qnoise-${CMAKE_MATCH_1} (1)")
  endif()
endforeach()

# The top page adds what --help has no room for (exit status, environment, files).
file(READ "${CMAKE_CURRENT_LIST_DIR}/qnoise.h2m" qnoise_sections)
file(WRITE "${OUT}/qnoise.h2m" "${qnoise_sections}\n${see_also}\n")
write_page(qnoise "extreme model compression with Quant-Noise, headless" qnoise "${QNOISE}")
if(QNSTUDIO)
  file(WRITE "${OUT}/qnstudio.h2m" "[SEE ALSO]\n.BR qnoise (1)\n")
  write_page(qnstudio "extreme model compression with Quant-Noise, desktop application"
             qnstudio "${QNSTUDIO}")
endif()
