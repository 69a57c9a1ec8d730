// CNNLabTestSupport
