module gotriage.lab/goserver

go 1.21
