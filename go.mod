module cascade

go 1.26
